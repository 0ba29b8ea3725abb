// A real OpenID provider (node oidc-provider) on 127.0.0.1 for dih-dash's sign-in test.
//
//   node provider.js <port>
//
// Environment (all but the redirect URI have test defaults):
//   OIDC_REDIRECT_URI   the app's http://127.0.0.1:<app port>/oauth2callback; also the only
//                       allowed post-logout address, as Streamlit's st.logout sends it there
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
//
// The login page is oidc-provider's own development form: any login and any password are
// accepted, and the login becomes the account's subject and e-mail address.

import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { interactionPolicy } from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT);
const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!Number.isInteger(port) || port <= 0 || !redirectUri) {
  console.error('usage: OIDC_REDIRECT_URI=http://127.0.0.1:<app port>/oauth2callback node provider.js <port>');
  process.exit(2);
}
const clientId = process.env.OIDC_CLIENT_ID || 'dih-dash';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'dih-dash-test-secret';

// Streamlit asks for prompt=select_account unless told otherwise, as Google, Entra ID or Auth0
// understand it. oidc-provider refuses prompt values its policy lacks, so the policy gets one
// that never asks anything by itself: with no provider session the login prompt still shows
// the login form; with one, the single signed-in account counts as selected.
const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.add(selectAccount);

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // Authlib's default for a client with a secret.
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256', kid: 'test-signing-key' }] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // SameSite=None cookies need Secure, which plain http on 127.0.0.1 cannot give; the app
    // and the provider share a site (the port does not count), so Lax suffices.
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Streamlit (Authlib) reads who signed in from the ID token only, never from the userinfo
  // endpoint, as most hosted providers put the scope's claims there too.
  conformIdTokenClaims: false,
  interactions: { policy },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The default page loads a web font from Google; a test network has no way out.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head>
<body><h1>Sign out of the test provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
      },
    },
  },
  // The dashboard is the hub's own application: no consent screen, as a company's identity
  // provider does for its first-party applications.
  loadExistingGrant: async (ctx) => {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) {
      return ctx.oidc.provider.Grant.find(existing);
    }
    if (ctx.oidc.client.clientId !== clientId) {
      return undefined;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({
      sub,
      email: sub,
      email_verified: true,
      name: sub.split('@')[0],
    }),
  }),
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
