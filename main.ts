import { App } from 'cdk8s';
import { HardenedMesh } from './lib';
import { ConfigError, loadConfig } from './lib/config';
import { InvalidValueError } from './lib/names';
import { synthesizeInto } from './lib/synthesize';

// `cdk8s synth` names its output directory in CDK8S_OUTDIR; `npm run synth` writes to dist/.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

try {
  const config = loadConfig();
  synthesizeInto(outdir, (stagingDir) => {
    const app = new App({ outdir: stagingDir });
    try {
      new HardenedMesh(app, 'hardened-mesh', config.props);
    } catch (error) {
      if (config.file && error instanceof InvalidValueError) {
        throw ConfigError.fromInvalidValue(config.file, error);
      }
      throw error;
    }
    return app;
  });
} catch (error) {
  if (error instanceof ConfigError || error instanceof InvalidValueError) {
    console.error(`hardened-mesh: ${error.message}`);
    console.error(`hardened-mesh: nothing was written; ${outdir}/ is unchanged`);
    process.exit(1);
  }
  throw error;
}
