export * from './ztunnel-allow-nothing';
export * from './waypoint-allow-nothing';
export * from './ingress-external-traffic';
export * from './hardened-mesh';
export { IpBlocksInput, parseIpBlocks } from './ip-blocks';
export { InvalidValueError } from './names';
export { ConfigError, loadConfig, parseConfig, readConfigFile, LoadedConfig } from './config';
export { synthesizeInto } from './synthesize';

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
