import { ApiObject, App } from 'cdk8s';
import { HardenedMesh } from './lib';
import { ConfigError, loadConfig } from './lib/config';
import { InvalidValueError, printable } from './lib/names';
import { OutputDirectoryError, synthesizeInto } from './lib/synthesize';

// `cdk8s synth` names its output directory in CDK8S_OUTDIR; `npm run synth` writes to dist/.
const outdir = process.env.CDK8S_OUTDIR || 'dist';
// The cdk8s CLI deletes its output directory before it runs the app, so there is nothing left to
// keep when the app fails under it.
const untouched = process.env.CDK8S_OUTDIR
  ? `cdk8s synth had already removed ${outdir}/; run npm run synth to keep the previous output`
  : `${outdir}/ is unchanged`;

try {
  const config = loadConfig();
  let objects = 0;
  const files = synthesizeInto(outdir, (stagingDir) => {
    const app = new App({ outdir: stagingDir });
    try {
      new HardenedMesh(app, 'hardened-mesh', config.props);
    } catch (error) {
      if (config.file && error instanceof InvalidValueError) {
        throw ConfigError.fromInvalidValue(config.file, error);
      }
      throw error;
    }
    // Counted, not rendered: the synth renders (and validates) every chart once already.
    objects = app.node.findAll().filter((construct) => construct instanceof ApiObject).length;
    return app;
  });

  const source = config.file ? `from ${config.file}` : 'with the defaults (no hardened-mesh.yaml)';
  const written = files.map((file) => `${outdir}/${file}`).join(', ');
  console.log(
    `hardened-mesh: wrote ${objects} ${objects === 1 ? 'object' : 'objects'} ${source} to ${written}`,
  );
} catch (error) {
  const known =
    error instanceof ConfigError ||
    error instanceof InvalidValueError ||
    error instanceof OutputDirectoryError ||
    // A file system error (EACCES, ENOTDIR, ...) says all it has to say in its message.
    (error instanceof Error && 'code' in error);
  console.error(
    `hardened-mesh: ${printable(known ? (error as Error).message : String((error as Error).stack ?? error))}`,
  );
  console.error(`hardened-mesh: nothing was written; ${untouched}`);
  process.exit(1);
}
