// The Kubernetes runtime (kind, k3d, any kube context) and what the CLI wires around it:
// `--runtime kind|k3d|kubernetes`, `--dry-run`, `devenv argocd password|ui`, doctor, bench, reset.
export { applicationStatuses, fetchInstallManifest } from './argocd.js';
export { type BenchOperations, type BenchRow, kubernetesBench } from './bench.js';
export { type ClusterSpec, clusterSpec, registrySpec } from './cluster-config.js';
export { validateClusterConfig } from './cluster-schemas.js';
export { type Command, type CommandRunner, ExecaRunner, formatCommand, RecordingRunner } from './command-runner.js';
export { analyseProject, type ServicePlan } from './compose-to-k8s.js';
export { type DoctorFinding, kubernetesDoctorChecks } from './doctor.js';
export { PodSyncLink } from './exec-channel.js';
export { ClientNodeKubeApi, type KubeApi } from './kube-api.js';
export { KubernetesRuntime, type KubernetesRuntimeOptions, type ResetMode } from './kubernetes-runtime.js';
export {
  formatPlan,
  type KubernetesPlan,
  type KubernetesPlanOptions,
  type KubernetesProvider,
  planKubernetes,
} from './plan.js';
export { PortForwarder } from './port-forward.js';
export { validateObjects } from './validate-objects.js';
export { ARGOCD_VERSION, K3S_IMAGE, MIN_VERSIONS } from './versions.js';
