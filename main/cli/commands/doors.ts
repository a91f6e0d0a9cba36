/** `gatehouse doors set DOOR --camera CAM[,CAM]`, `doors list`, `doors remove DOOR` (see mapping-command.ts). */
import { mappingCommand } from '../mapping-command.js';

export const doorsCommand = mappingCommand('door');
