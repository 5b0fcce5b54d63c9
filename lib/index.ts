export * from './ztunnel-allow-nothing';
export * from './waypoint-allow-nothing';
export * from './ingress-external-traffic';
export * from './hardened-mesh';
export { IpBlocksInput, parseIpBlocks } from './ip-blocks';
export { InvalidValueError } from './names';
export { ConfigError, loadConfig, parseConfig, readConfigFile, LoadedConfig } from './config';
export { synthesizeInto } from './synthesize';
