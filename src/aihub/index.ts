/** The AI Hub API: schemas, endpoint names, the client and its errors. */
export * from './schemas';
export * from './endpoints';
export * from './errors';
export * from './retry';
export { parseLosslessJson, stringifyWithRawIntegers } from './lossless-json';
export { AihubClient, DEFAULT_LIST_RUNS_LIMIT, DEFAULT_TIMEOUT_MS, type AihubClientOptions } from './client';
export type { AihubExchange, CallOptions, QueryValue } from './http';
export { FileTokenSource, StaticTokenSource, tokenSourceOf, type TokenSource } from './token-source';
export type { UploadOptions, UploadResult } from './upload';
