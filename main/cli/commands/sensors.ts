/** `gatehouse sensors set SENSOR --camera CAM`, `sensors list`, `sensors remove SENSOR` (see mapping-command.ts). */
import { mappingCommand } from '../mapping-command.js';

export const sensorsCommand = mappingCommand('sensor');
