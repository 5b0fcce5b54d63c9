// Synthesizes the Bookinfo example into examples/bookinfo/dist/: `npm run example:bookinfo`.
import * as path from 'path';
import { synthesizeInto } from '../../lib';
import { buildBookinfoApp } from './chart';

const outdir = path.join(__dirname, 'dist');
const files = synthesizeInto(outdir, buildBookinfoApp);
console.log(
  `wrote ${files.map((file) => path.join(path.relative(process.cwd(), outdir), file)).join(', ')}`,
);
