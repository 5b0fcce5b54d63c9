import { App } from 'cdk8s';
import { HardenedMesh } from './lib';
import { ConfigError, loadConfig } from './lib/config';
import { InvalidValueError } from './lib/names';
import { synthesizeInto } from './lib/synthesize';

// `cdk8s synth` names its output directory in CDK8S_OUTDIR; `npm run synth` writes to dist/.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
// The cdk8s CLI deletes its output directory before it runs the app, so there is nothing left to
// keep when the app fails under it.
const untouched = process.env.CDK8S_OUTDIR
  ? `cdk8s synth had already removed ${outdir}/; run npm run synth to keep the previous output`
  : `${outdir}/ is unchanged`;

try {
  const config = loadConfig();
  let policies = 0;
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
    policies = app.charts.flatMap((chart) => chart.toJson()).length;
    return app;
  });
  const source = config.file ? `from ${config.file}` : 'with the defaults (no hardened-mesh.yaml)';
  console.log(
    `hardened-mesh: wrote ${policies} ${policies === 1 ? 'object' : 'objects'} ${source} to ${files.map((f) => `${outdir}/${f}`).join(', ')}`,
  );
} catch (error) {
  if (error instanceof ConfigError || error instanceof InvalidValueError) {
    console.error(`hardened-mesh: ${error.message}`);
    console.error(`hardened-mesh: nothing was written; ${untouched}`);
    process.exit(1);
  }
  throw error;
}
