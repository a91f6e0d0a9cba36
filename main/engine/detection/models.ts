/**
 * The detector model files under assets/models/ (assets/models/README.md),
 * picked by the `detectionModel` setting. Both take a dynamic batch.
 */
export type ModelKind = 'float' | 'int8';

export const MODEL_FILES: Record<ModelKind, string> = { float: 'yolox_nano_dyn.onnx', int8: 'yolox_nano_int8.onnx' };
