/** Minimal types for the peers the file benchmark drives (they ship none). */
declare module "node-persist" {
  interface LocalStorage {
    init(): Promise<unknown>;
    getItem(key: string): Promise<unknown>;
    setItem(key: string, value: unknown): Promise<unknown>;
  }
  const nodePersist: { create(options: { dir: string; logging?: boolean; expiredInterval?: number }): LocalStorage };
  export default nodePersist;
}

declare module "cacache" {
  const cacache: {
    get(cache: string, key: string): Promise<{ data: Buffer }>;
    put(cache: string, key: string, data: string | Buffer): Promise<string>;
  };
  export default cacache;
}
