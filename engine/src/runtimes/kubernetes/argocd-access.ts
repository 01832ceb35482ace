// `devenv argocd password` and `devenv argocd ui`: the initial admin password Argo CD generated,
// and its UI forwarded to 127.0.0.1 (port 8080 in the pod serves HTTPS).

import { UserError } from '../../errors.js';
import type { KubeApi } from './kube-api.js';
import { ARGOCD_NAMESPACE } from './names.js';
import { PortForwarder } from './port-forward.js';

export async function argocdPassword(api: KubeApi): Promise<string> {
  const data = await api.readSecret(ARGOCD_NAMESPACE, 'argocd-initial-admin-secret');
  if (!data?.password) {
    throw new UserError({
      code: 'kubernetes.argocd-no-password',
      message:
        'the secret argocd-initial-admin-secret is not there: someone removed it, or this Argo CD was set up without it',
      hint: 'set a new password with `argocd account update-password`',
    });
  }
  return data.password;
}

export async function forwardArgoCdUi(
  api: KubeApi,
  localPort = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const f = new PortForwarder(api, {
    namespace: ARGOCD_NAMESPACE,
    selector: 'app.kubernetes.io/name=argocd-server',
    remotePort: 8080,
    host: '127.0.0.1',
    localPort,
  });
  const addr = await f.start();
  return { url: `https://127.0.0.1:${addr.port}`, close: () => f.close() };
}
