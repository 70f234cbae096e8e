// A real, OpenID-certified provider on loopback for the single sign-on tests. Its development login
// page accepts any login name: the name is the email it vouches for, and a name starting with
// "unverified:" gives that email with email_verified false. With ID_TOKEN_CLAIMS=1 the claims go in
// the ID token itself, with Google's hd and Entra's tid (the email's domain), as those providers do.
// Prints the port once it listens.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const host = process.env.HOST || '127.0.0.1';
const issuer = (process.env.ISSUER_HOST ? `http://${process.env.ISSUER_HOST}:${port}` : `http://${host}:${port}`);
const clients = JSON.parse(process.env.CLIENTS);
const provider = new Provider(issuer, {
  clients,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      email: id.replace(/^unverified:/, ''),
      email_verified: !id.startsWith('unverified:'),
      name: id.replace(/^unverified:/, '').split('@')[0],
      hd: id.split('@')[1],
      tid: id.split('@')[1],
    }),
  }),
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd', 'tid'], profile: ['name'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  conformIdTokenClaims: process.env.ID_TOKEN_CLAIMS !== '1',
});
provider.proxy = false;
const server = provider.listen(port, host, () => {
  console.log(`listening ${server.address().port}`);
});
