// Where the OTEL_* variables say traces go, read without loading the OpenTelemetry SDK: the
// daemon asks after every `up`, and loads the SDK only when the answer is somewhere.

export type Env = Record<string, string | undefined>;

/** The endpoint traces go to, or undefined when the OTEL_* variables ask for no export. */
export function otlpTracesEndpoint(env: Env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((s) => s.trim().toLowerCase());
  if (exporters.includes('none')) return undefined;
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** http/protobuf (the specification's default), http/json, or something devenv cannot send. */
export function otlpProtocol(env: Env): string {
  return (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
}
