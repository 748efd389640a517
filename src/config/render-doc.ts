// Prints docs/CONFIGURATION.md: node dist/src/config/render-doc.js > docs/CONFIGURATION.md
import { renderConfigurationMarkdown } from './doc.js';

process.stdout.write(renderConfigurationMarkdown());
