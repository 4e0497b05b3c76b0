// /docs: Swagger UI, bundled (no CDN), showing /openapi.yaml with "Try it out" against
// this origin. No standalone preset: it carries inline bits a strict CSP refuses.
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';

type Spec = { servers?: unknown } & Record<string, unknown>;

/** The document names the local stack as its server; requests must go to this origin
 *  (CSP `connect-src 'self'`), wherever the page is served from. */
const SameOrigin = () => ({
  statePlugins: {
    spec: {
      wrapActions: {
        updateJsonSpec:
          (original: (spec: Spec) => unknown) =>
          (spec: Spec) =>
            original(spec && typeof spec === 'object' ? { ...spec, servers: [{ url: location.origin, description: 'This server' }] } : spec),
      },
    },
  },
});

SwaggerUI({
  dom_id: '#swagger',
  url: '/openapi.yaml',
  deepLinking: true,
  validatorUrl: null, // the badge would load an image from another site
  plugins: [SameOrigin],
  persistAuthorization: false,
  tryItOutEnabled: false,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
});
