import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.js';

/** Backlog above which a viewer is considered behind: it skips to the next key frame. */
const BEHIND_BYTES = 2 * 1024 * 1024;

/**
 * One live viewer over WebSocket: a JSON text frame {type:"init", codec}
 * then binary frames, the first being the fMP4 init segment, the rest media
 * fragments. A viewer that falls behind skips to the next key frame; it
 * never slows the recorder.
 */
export function attachLive(engine: Engine, ws: WebSocket, url: URL): void {
  const cameraId = url.searchParams.get('camera') ?? '';
  const stream = url.searchParams.get('stream') === 'main' ? 'main' : 'sub';
  if (!engine.cameras.get(cameraId)) {
    ws.send(JSON.stringify({ type: 'error', message: `no camera with id "${cameraId}"` }));
    ws.close(4404, 'no such camera');
    return;
  }
  let waitKey = true;
  const detach = engine.recorder.subscribeLive(cameraId, stream, {
    init(codec, init) {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify({ type: 'init', codec }));
      ws.send(init);
      waitKey = true;
    },
    fragment(data, keyframe) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > BEHIND_BYTES) {
        waitKey = true;
        return;
      }
      if (waitKey) {
        if (!keyframe) return;
        waitKey = false;
      }
      ws.send(data);
    },
    close(reason) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'end', reason }));
    },
  });
  ws.on('close', detach);
  ws.on('error', detach);
}
