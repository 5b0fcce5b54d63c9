import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ConfigError,
  loadConfig,
  MAX_CONFIG_BYTES,
  parseConfig,
  readConfigFile,
} from '../lib/config';
import { InvalidValueError } from '../lib/names';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-mesh-config-'));
}

describe('parseConfig', () => {
  test('reads every key of the chart', () => {
    const text = [
      'hardenedMode: true',
      'rootNamespace: mesh-root',
      'istioApp: istio',
      'waypointGatewayClass: custom-waypoint',
      'ingress:',
      '  app: edge',
      '  namespace: ingress',
      '  gateway: public',
      '  externalTrafficCidrs: "10.0.0.0/8, 192.168.0.0/16"',
    ].join('\n');
    expect(parseConfig('c.yaml', text)).toEqual({
      hardenedMode: true,
      rootNamespace: 'mesh-root',
      istioApp: 'istio',
      waypointGatewayClass: 'custom-waypoint',
      ingress: {
        app: 'edge',
        namespace: 'ingress',
        gateway: 'public',
        externalTrafficCidrs: '10.0.0.0/8, 192.168.0.0/16',
      },
    });
  });

  test('reads the keys of the ALLOW policies: waypoints, sync waves, dry-run, trust domain', () => {
    const text = [
      'trustDomain: prod.example',
      'autoAllowWaypointPolicy: false',
      'dryRun: true',
      'syncWaves: {allow: -2, allowNothing: 3}',
      'waypoints:',
      '  - namespace: default',
      '  - {namespace: shop, waypoint: shop-waypoint, serviceAccount: shop-wp}',
      'ingress: {namespace: default, gateway: bookinfo-gateway, enrolledInAmbient: true}',
    ].join('\n');
    expect(parseConfig('c.yaml', text)).toEqual({
      trustDomain: 'prod.example',
      autoAllowWaypointPolicy: false,
      dryRun: true,
      syncWaves: { allow: -2, allowNothing: 3 },
      waypoints: [
        { namespace: 'default' },
        { namespace: 'shop', waypoint: 'shop-waypoint', serviceAccount: 'shop-wp' },
      ],
      ingress: { namespace: 'default', gateway: 'bookinfo-gateway', enrolledInAmbient: true },
    });
    expect(parseConfig('c.yaml', 'syncWaves: false')).toEqual({ syncWaves: false });
  });

  test('fails on bad sync waves and waypoints, naming the key', () => {
    expect(() => parseConfig('c.yaml', 'syncWaves: {allow: "-1"}')).toThrow(
      'c.yaml: syncWaves.allow must be a whole number, got "-1"',
    );
    expect(() => parseConfig('c.yaml', 'syncWaves: {allow: 1.5}')).toThrow(
      'c.yaml: syncWaves.allow must be a whole number, got 1.5',
    );
    expect(() => parseConfig('c.yaml', 'syncWaves: {alow: 1}')).toThrow(
      'c.yaml: unknown key "syncWaves.alow" (did you mean "allow"?); allowed keys here: allow, allowNothing',
    );
    expect(() => parseConfig('c.yaml', 'syncWaves: true')).toThrow(
      'c.yaml: syncWaves must be a mapping with keys allow, allowNothing, or false, got true',
    );
    expect(() => parseConfig('c.yaml', 'waypoints: {namespace: default}')).toThrow(
      'c.yaml: waypoints must be a list of mappings with keys namespace, waypoint, serviceAccount, ' +
        'got {"namespace":"default"}',
    );
    expect(() => parseConfig('c.yaml', 'waypoints: [default]')).toThrow(
      'c.yaml: waypoints[0] must be a mapping with keys namespace, waypoint, serviceAccount, got "default"',
    );
    expect(() => parseConfig('c.yaml', 'waypoints: [{namespace: a}, {namspace: b}]')).toThrow(
      'c.yaml: unknown key "waypoints[1].namspace" (did you mean "namespace"?)',
    );
    expect(() => parseConfig('c.yaml', 'dryRun: "true"')).toThrow(
      'c.yaml: dryRun must be true or false, got "true"',
    );
  });

  test('reads CIDRs as a list, and ingress: false', () => {
    expect(parseConfig('c.yaml', 'ingress:\n  externalTrafficCidrs: [10.0.0.0/8]')).toEqual({
      ingress: { externalTrafficCidrs: ['10.0.0.0/8'] },
    });
    expect(parseConfig('c.yaml', 'ingress: false')).toEqual({ ingress: false });
  });

  test('reads an empty file or a file of comments as all defaults', () => {
    expect(parseConfig('c.yaml', '')).toEqual({});
    expect(parseConfig('c.yaml', '# nothing set\n')).toEqual({});
  });

  test('fails on an unknown key, suggesting the key it was probably meant to be', () => {
    expect(() => parseConfig('c.yaml', 'hardendMode: false')).toThrow(
      'c.yaml: unknown key "hardendMode" (did you mean "hardenedMode"?); allowed keys here: ' +
        'hardenedMode, rootNamespace, istioApp, waypointGatewayClass, ingress',
    );
    expect(() => parseConfig('c.yaml', 'ingress:\n  externalTrafficCIDRs: 10.0.0.0/8')).toThrow(
      'c.yaml: unknown key "ingress.externalTrafficCIDRs" (did you mean "externalTrafficCidrs"?); ' +
        'allowed keys here: app, namespace, gateway, externalTrafficCidrs',
    );
  });

  test('fails on an unknown key unlike any known one without a suggestion', () => {
    expect(() => parseConfig('c.yaml', 'replicas: 3')).toThrow(
      'c.yaml: unknown key "replicas"; allowed keys here:',
    );
  });

  test('fails on wrong types, naming the key, the value and what is allowed', () => {
    expect(() => parseConfig('c.yaml', 'hardenedMode: "no"')).toThrow(
      'c.yaml: hardenedMode must be true or false, got "no"',
    );
    // YAML 1.2 reads `yes` as a string: it must not be taken for true or false.
    expect(() => parseConfig('c.yaml', 'hardenedMode: yes')).toThrow(
      'c.yaml: hardenedMode must be true or false, got "yes"',
    );
    expect(() => parseConfig('c.yaml', 'rootNamespace: 42')).toThrow(
      'c.yaml: rootNamespace must be a string, got 42',
    );
    expect(() => parseConfig('c.yaml', 'ingress: true')).toThrow(
      'c.yaml: ingress must be a mapping with keys app, namespace, gateway, externalTrafficCidrs, ' +
        'enrolledInAmbient, or false, got true',
    );
    expect(() =>
      parseConfig('c.yaml', 'ingress:\n  externalTrafficCidrs: [10.0.0.0/8, 7]'),
    ).toThrow(
      'c.yaml: ingress.externalTrafficCidrs must be a comma-separated string or a list of strings, got ["10.0.0.0/8",7]',
    );
  });

  test('fails on a key left empty instead of falling back to its default', () => {
    expect(() => parseConfig('c.yaml', 'ingress:')).toThrow('c.yaml: ingress must be a mapping');
    expect(() => parseConfig('c.yaml', 'rootNamespace:')).toThrow(
      'c.yaml: rootNamespace must be a string, got null',
    );
  });

  test('fails on keys that name Object members instead of treating them as known', () => {
    expect(() => parseConfig('c.yaml', '__proto__: {hardenedMode: false}')).toThrow(
      'c.yaml: unknown key "__proto__"; allowed keys here:',
    );
    expect(() => parseConfig('c.yaml', 'ingress:\n  constructor: 1')).toThrow(
      'c.yaml: unknown key "ingress.constructor"; allowed keys here: app, namespace, gateway, externalTrafficCidrs',
    );
  });

  test('fails on a file of several YAML documents', () => {
    expect(() => parseConfig('c.yaml', 'istioApp: x\n---\nistioApp: y\n')).toThrow(
      /^c\.yaml: is not valid YAML: Source contains multiple documents/,
    );
  });

  test('fails on nesting too deep to read, without crashing', () => {
    expect(() => parseConfig('c.yaml', `a: ${'['.repeat(5000)}${']'.repeat(5000)}`)).toThrow(
      new ConfigError('c.yaml', 'is nested too deeply to read (the parser ran out of stack)'),
    );
  });

  test('fails on block mappings nested too deeply, saying so instead of quoting the parser', () => {
    const deep = Array.from({ length: 3000 }, (_, depth) => `${' '.repeat(depth)}a:`).join('\n');
    expect(() => parseConfig('c.yaml', deep)).toThrow(
      new ConfigError('c.yaml', 'is nested too deeply to read (the parser ran out of stack)'),
    );
  });

  test('fails on a top level that is not a mapping', () => {
    expect(() => parseConfig('c.yaml', '- a\n- b')).toThrow(
      'c.yaml: the top level must be a mapping of keys to values, got ["a","b"]',
    );
  });

  test('fails on YAML that does not parse, naming the file and the line', () => {
    expect(() => parseConfig('c.yaml', 'ingress:\n  app: [edge\n')).toThrow(
      /^c\.yaml: is not valid YAML: .*line 3/s,
    );
  });

  test('fails on a duplicated key, naming it and its line', () => {
    expect(() => parseConfig('c.yaml', 'istioApp: a\nistioApp: b')).toThrow(
      new ConfigError(
        'c.yaml',
        'is not valid YAML: Map keys must be unique; "istioApp" is written twice (line 2)',
      ),
    );
  });

  // YAML tags load these as Map, Set, Date or bytes; a check that saw no keys in them let the
  // ingress fall back to its 0.0.0.0/0 default.
  test.each([
    ['!!omap', 'ingress: !!omap\n  - externalTrafficCidrs: 10.0.0.0/8'],
    ['!!set', 'ingress: !!set {? externalTrafficCidrs}'],
    ['!!timestamp', 'ingress: !!timestamp 2024-01-01'],
    ['!!binary', 'ingress: !!binary ""'],
  ])('fails on ingress written as %s', (_tag, text) => {
    expect(() => parseConfig('c.yaml', text)).toThrow(
      /^c\.yaml: ingress must be a mapping with keys/,
    );
  });

  test('fails on a top level written as !!omap', () => {
    expect(() =>
      parseConfig('c.yaml', '--- !!omap\n- ingress: {externalTrafficCidrs: 10.0.0.0/8}\n'),
    ).toThrow(/^c\.yaml: the top level must be a mapping of keys to values/);
  });

  test('fails on a YAML alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    expect(() => parseConfig('c.yaml', bomb)).toThrow(
      /^c\.yaml: cannot be read: .*Excessive alias count/,
    );
  });
});

describe('loadConfig', () => {
  test('returns the defaults when there is no config file', () => {
    expect(loadConfig({}, tempDir())).toEqual({ props: {} });
  });

  test('reads hardened-mesh.yaml from the working directory', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'hardened-mesh.yaml'), 'hardenedMode: false\n');
    expect(loadConfig({}, dir)).toEqual({
      file: 'hardened-mesh.yaml',
      props: { hardenedMode: false },
    });
  });

  test('fails on a dangling hardened-mesh.yaml link instead of ignoring it', () => {
    const dir = tempDir();
    fs.symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'hardened-mesh.yaml'));
    expect(() => loadConfig({}, dir)).toThrow(/^hardened-mesh\.yaml: cannot be read: ENOENT/);
  });

  test.each([
    'hardened-mesh.yml',
    'Hardened-Mesh.yaml',
    'hardened_mesh.yaml',
    'hardened-mesh.json',
  ])('fails on a config file misnamed %s instead of ignoring it', (name) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, name), 'ingress: {externalTrafficCidrs: 10.0.0.0/8}\n');
    expect(() => loadConfig({}, dir)).toThrow(
      `${name}: is not read: the config file is named hardened-mesh.yaml; rename it, or name it in HARDENED_MESH_CONFIG`,
    );
  });

  test('reads the file named by HARDENED_MESH_CONFIG instead', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'hardened-mesh.yaml'), 'hardenedMode: false\n');
    fs.writeFileSync(path.join(dir, 'prod.yaml'), 'istioApp: prod\n');
    expect(loadConfig({ HARDENED_MESH_CONFIG: 'prod.yaml' }, dir)).toEqual({
      file: 'prod.yaml',
      props: { istioApp: 'prod' },
    });
  });

  test('resolves a relative HARDENED_MESH_CONFIG against INIT_CWD, where the user ran npm', () => {
    const project = tempDir();
    const userDir = tempDir();
    fs.writeFileSync(path.join(userDir, 'lab.yaml'), 'istioApp: lab\n');
    expect(loadConfig({ HARDENED_MESH_CONFIG: 'lab.yaml', INIT_CWD: userDir }, project)).toEqual({
      file: 'lab.yaml',
      props: { istioApp: 'lab' },
    });
  });

  test('fails when HARDENED_MESH_CONFIG names a file that does not exist', () => {
    expect(() => loadConfig({ HARDENED_MESH_CONFIG: 'missing.yaml' }, tempDir())).toThrow(
      /^missing\.yaml: cannot be read: ENOENT/,
    );
  });

  test('fails when HARDENED_MESH_CONFIG is set but empty', () => {
    expect(() => loadConfig({ HARDENED_MESH_CONFIG: ' ' }, tempDir())).toThrow(
      'HARDENED_MESH_CONFIG: is set but empty; unset it or name a YAML file',
    );
  });
});

describe('readConfigFile', () => {
  test('resolves the file against the given directory', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'istioApp: x\n');
    expect(readConfigFile('c.yaml', dir)).toEqual({ istioApp: 'x' });
  });

  test('reads a file that starts with a UTF-8 byte order mark', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.yaml'), '\ufeffistioApp: x\n');
    expect(readConfigFile('c.yaml', dir)).toEqual({ istioApp: 'x' });
  });

  test('fails on bytes that are not UTF-8 instead of reading replacement characters', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'c.yaml'),
      Buffer.from([0x69, 0x73, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
    );
    expect(() => readConfigFile('c.yaml', dir)).toThrow(
      'c.yaml: is not valid UTF-8 text; save it as UTF-8',
    );
  });

  test('fails on a file over 1 MiB without reading it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.yaml'), `istioApp: "${'a'.repeat(MAX_CONFIG_BYTES)}"\n`);
    expect(() => readConfigFile('c.yaml', dir)).toThrow(
      `c.yaml: is ${MAX_CONFIG_BYTES + 13} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes`,
    );
  });

  test('fails on a directory or a device instead of a file', () => {
    const dir = tempDir();
    expect(() => readConfigFile('.', dir)).toThrow('.: is not a regular file; name a YAML file');
    expect(() => readConfigFile('/dev/zero', dir)).toThrow('/dev/zero: is not a regular file');
  });
});

describe('ConfigError', () => {
  test('names the config key of a value the chart refused', () => {
    const refused = new InvalidValueError('ingress.app', 'makes the name "X" invalid', 'chart/x');
    const error = ConfigError.fromInvalidValue('c.yaml', refused);
    expect(error.message).toBe('c.yaml: ingress.app makes the name "X" invalid');
  });
});
