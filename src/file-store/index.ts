/**
 * rx-resilience/file-store: the durable queue's store on the local disk. It uses node:fs, so it
 * lives in its own entry point and the root entry stays free of Node built-ins.
 */
export { fileStore } from '../queue/fileStore.js';
export type { FileStore, FileStoreOptions } from '../queue/fileStore.js';
