// swagger-ui-dist ships no types; this is the little the docs page uses.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  const SwaggerUI: (config: Record<string, unknown>) => unknown;
  export default SwaggerUI;
}
