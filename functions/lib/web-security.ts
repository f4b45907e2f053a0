/** Where the web app is served: by `npm start` locally, by CloudFront from S3 on AWS. */
export const WEB_APP_PATH = '/app';

/** Everything the page may load comes from the hub itself: no CDN, no inline script, not framed elsewhere. */
export const WEB_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it the browser sends `Origin: null`, and the hub could not tell its own pages' changes.
  'referrer-policy': 'same-origin',
} as const;
