import { configureConnection, resetConnection } from "../../provider/resources/connection";

/** Point the providers at a BirdEye (as the configure hook does from stack config); `maxConcurrency` is birdeye:maxConcurrency. */
export async function useBirdEye(apiUrl: string, apiKey?: string, options: { maxConcurrency?: number } = {}): Promise<void> {
  const values: Record<string, string> = {
    "birdeye:apiUrl": apiUrl,
    ...(apiKey === undefined ? {} : { "birdeye:apiKey": apiKey }),
    ...(options.maxConcurrency === undefined ? {} : { "birdeye:maxConcurrency": String(options.maxConcurrency) }),
  };
  await configureConnection({
    config: {
      get: (key: string) => values[key],
      require: (key: string) => {
        const value = values[key];
        if (value === undefined) throw new Error(`missing ${key}`);
        return value;
      },
    },
  });
}

export { resetConnection };
