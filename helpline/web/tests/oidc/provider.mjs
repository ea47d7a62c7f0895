// A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1, port chosen by the OS,
// for Helpline's single sign-on tests (helpline/web/tests/test_sso.py). Not for production.
//
//   node provider.mjs <client_id> <client_secret> <redirect_uri>
//
// Prints "listening http://127.0.0.1:PORT" once ready. Signing in: GET /interaction/<uid> is a
// form; POST /interaction/<uid>/login with email=… (and verified=0 to claim an unverified
// address) signs that person in; consent is implied for the one client.
import http from 'node:http';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
const verified = new Map();

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: verified.get(id) !== false, name: id };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (!match) return callback(req, res);
    try {
      if (!match[2]) {
        const details = await provider.interactionDetails(req, res);
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<form method="post" action="/interaction/${details.uid}/login">` +
          '<input name="email"><button>Sign in</button></form>');
        return;
      }
      const form = await readForm(req);
      const email = form.get('email');
      verified.set(email, form.get('verified') !== '0');
      await provider.interactionFinished(req, res, { login: { accountId: email } },
        { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});
