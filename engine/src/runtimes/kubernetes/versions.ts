// Every version the Kubernetes runtime pins, in one place, so an upgrade is one reviewed diff.

/**
 * Argo CD release installed into `argocd`. v2.14.11 because @kubernetes-models/argo-cd 2.7.2 (the
 * newest major that runs on Node 20) was generated from this release's CRDs: the Applications
 * devenv writes are validated against exactly the schema the installed controller serves.
 */
export const ARGOCD_VERSION = 'v2.14.11';

export const ARGOCD_INSTALL_URL = `https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml`;

/**
 * SHA-256 of ARGOCD_INSTALL_URL's content. Empty: this build was made where GitHub is not
 * reachable, so nobody could read the file to pin it. Then the first download is recorded in the
 * user's cache and every later download must match it (trust on first use, reported as a warning);
 * `DEVENV_ARGOCD_SHA256` overrides it. The live suite prints the digest it saw so this constant
 * can be filled in (docs/kubernetes.md, "Argo CD").
 */
export const ARGOCD_INSTALL_SHA256 = '';

/** k3s for k3d clusters and for the live suite (@testcontainers/k3s). */
export const K3S_IMAGE = 'rancher/k3s:v1.31.5-k3s1';

/** The local image registry (kind documents registry:2; k3d defaults to it). */
export const REGISTRY_IMAGE = 'registry:2.8.3';

/** Oldest CLI versions devenv drives (doctor checks). kind 0.20 reads containerd's certs.d; k3d 5.6 v1alpha5 configs. */
export const MIN_VERSIONS = {
  kind: '0.20.0',
  k3d: '5.6.0',
  kubectl: '1.27.0',
  helm: '3.12.0',
} as const;

/** Versions the CI workflow installs (.github/workflows/kubernetes.yml). */
export const CI_VERSIONS = {
  kind: 'v0.27.0',
  k3d: 'v5.8.3',
} as const;
