export * from './ztunnel-allow-nothing';
export * from './waypoint-allow-nothing';
export * from './ingress-external-traffic';
export * from './hardened-mesh';
export { IpBlocksInput, parseIpBlocks } from './ip-blocks';
export { InvalidValueError } from './names';
export { ConfigError, loadConfig, parseConfig, readConfigFile, LoadedConfig } from './config';
export { synthesizeInto } from './synthesize';

// The ALLOW policies and their value objects.
export * from './source';
export * from './workload-target';
export * from './service-target';
export * from './workload-allow';
export * from './service-allow';
export * from './waypoint-allow';
export { Condition, Operation } from './allow-rules';
export { checkAllowPolicy, Enforcement } from './allow-policy-check';
export { parsePort, parsePorts } from './ports';
export { DEFAULT_TRUST_DOMAIN, parsePrincipal } from './principals';
export * from './sync-waves';
export * from './prometheus-scrape-allow';
export * from './namespace-internal-allow';
export * from './ingress-backend-allow';
export { DRY_RUN_ANNOTATION } from './dry-run';

// The offline checker (`hardened-mesh check` / `report`), for tools that call it in-process.
export { CheckInputError } from './check/errors';
export {
  ManifestObject,
  LoadManifestsOptions,
  loadManifests,
  parseManifestText,
} from './check/manifests';
export { Mesh, MeshOptions, Workload, MeshService, Waypoint, IngressGateway } from './check/mesh';
export { AuthorizationPolicy, HttpRequest, Identity } from './check/policy';
export {
  decide,
  Decision,
  DecisionInput,
  Hop,
  RequestSpec,
  SourceSpec,
  TargetSpec,
} from './check/decide';
export { EnforcedBy, Verdict } from './check/verdict';
export {
  CaseResult,
  CasesFile,
  CasesReport,
  CheckCase,
  parseCases,
  readCasesFile,
  runCases,
} from './check/cases';
export { Matrix, buildMatrix, renderHtml, renderMarkdown } from './check/report';
export { runCli, CliIo, EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT } from './cli';
