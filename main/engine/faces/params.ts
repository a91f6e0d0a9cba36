/**
 * The tuned numbers of face recognition, in one place. Each comes from the
 * measurements in docs/faces.md ("Accuracy"); change them only with a new
 * measurement (test/integration/faces-accuracy.test.ts reprints it).
 */
export const FACE_PARAMS = {
  /** Same person when the descriptor distance is at most this (dlib's own default is 0.6; our impostors start at 0.54). */
  threshold: 0.5,
  /** The second-best person must be this much further away than the best, else "ambiguous". */
  margin: 0.05,
  /** Faces narrower than this (face box, source pixels) are "too small": never matched. */
  minFacePx: 40,
  /** Chips with a Laplacian variance below this are "blurred": never matched. */
  minSharpness: 3,
  /** An enrolment photo's face must be at least this wide (source pixels). */
  minEnrolPx: 80,
  /** Camera hint: median face width at or above this is "capable", between minFacePx and this "marginal". */
  capablePx: 60,
  /** Unmatched face crops are deleted after this many days (retention sweep). */
  unknownCropDays: 7,
  /** Crops matched to a person are deleted after this many days. */
  matchedCropDays: 30,
} as const;

export type FaceParams = { -readonly [K in keyof typeof FACE_PARAMS]: number };
