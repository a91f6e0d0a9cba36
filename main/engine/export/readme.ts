/** README.txt of a bundle: what is in it and exactly how to check it by hand. */
import type { Manifest } from './manifest.js';

export function readmeText(m: Pick<Manifest, 'case' | 'reason' | 'operator' | 'site' | 'host' | 'createdAt' | 'range' | 'cameras' | 'signature'>): string {
  const fpHex = m.signature.fingerprint.replace(/^SHA256:/, '').replace(/:/g, '');
  const cams = m.cameras.map((c) => `  - ${c.name} (${c.id}): ${c.files.length ? c.files.join(', ') : 'nothing recorded in the range'}`).join('\n');
  const caseLine = m.case.reference ? `${m.case.name} (reference ${m.case.reference})` : m.case.name;
  return `GATEHOUSE EVIDENCE EXPORT
=========================

Case:         ${caseLine}
Reason:       ${m.reason}
Exported by:  ${m.operator.displayName ? `${m.operator.displayName} (${m.operator.username})` : m.operator.username}
Site:         ${m.site.name}, computer "${m.host.name}"
Exported at:  ${m.createdAt} (UTC)
Range:        ${m.range.from} to ${m.range.to} (UTC)
Cameras:
${cams}

All times in this export are UTC.


WHAT IS IN THIS FOLDER
----------------------

  index.html      The offline player. Open it in a web browser (Chrome, Edge, Firefox,
                  Safari); it needs no network. It plays the cameras side by side on one
                  timeline in wall-clock time, marks the gaps and events, and its "Verify"
                  button checks every file and the signature in the browser.
  video/          One MP4 file per camera (more than one when the camera's stream settings
                  changed during the range). They play in VLC, QuickTime, the Windows
                  players and browsers.
  data/           Events, alarms, access-control rows and the audit trail of the case, each
                  as JSON and as CSV (for spreadsheets).
  manifest.json   The description of this export: case, reason, operator, range, and every
                  file with its size and SHA-256, the recorded stretches and the gaps.
  manifest.sig    The Ed25519 signature of manifest.json (64 bytes, raw).
  public-key.pem  The site's public key that made the signature.
  SHA256SUMS      The SHA-256 of every file listed in manifest.json, for sha256sum -c.
  README.txt      This file.


HOW TO CHECK THIS EXPORT BY HAND
--------------------------------

Open a terminal in this folder. Linux and macOS have the tools (on macOS, type
"shasum -a 256" wherever it says "sha256sum"); on Windows use WSL or Git Bash.
OpenSSL 3.0 or newer is needed for steps 1 and 2.

1. The signature: manifest.json is exactly what the site signed.

     openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig

   It must print "Signature Verified Successfully".

2. The key: it is the site's key.

     openssl pkey -pubin -in public-key.pem -outform DER | sha256sum

   The hash it prints must be
     ${fpHex}
   which is the key's fingerprint ${m.signature.fingerprint}
   Compare it with the export key fingerprint the site shows (Gatehouse: Settings),
   or the one on the paperwork that came with this export.

3. SHA256SUMS is the one the signed manifest lists.

     sha256sum SHA256SUMS
     grep -A1 '"path": "SHA256SUMS"' manifest.json

   The hash printed by the first command must be the "sha256" value shown by the second.

4. Every file is unchanged.

     sha256sum -c SHA256SUMS

   Every line must end in "OK". Then check that the folder holds no other files than
   those listed in SHA256SUMS, plus manifest.json and manifest.sig.

With Gatehouse installed, one command does all of this:

     gatehouse export verify <this folder, or the .zip it came in>


ABOUT THE VIDEO
---------------

- The MP4 files are copies of the recorded video, not re-compressed, unless manifest.json
  says "reencoded": true for a file (privacy masks burned in, or a frame-exact cut).
- A copied clip starts at the key frame at or before the start of the range (up to one
  key-frame interval, typically 1-4 s, early) and ends with the last frame at or before
  its end. A re-encoded clip with a frame-exact cut starts at the first frame at or after
  the start, and shows the date and time (UTC), the camera and the operator on every frame.
- Stretches without recording are not in the video: the next recorded frame follows at
  once. manifest.json lists for every file its "runs" (which media time is which
  wall-clock time) and its "gaps" (what is missing, with the reason). The player uses them
  to keep the cameras in sync and to show the gaps.
`;
}
