import { useState } from 'react';
import type { StreamTestResult } from '../../../../../main/api/onvif.js';
import { useClient } from '../../../api/context.js';
import { Notice } from '../../../ui/Notice.js';
import { fieldError, formatFps, formatResolution } from '../../../ui/format.js';
import './onvif.css';

const TEST_MS = 12_000;

/**
 * "Test connection" for a manual RTSP URL: what the stream is (codec,
 * resolution, fps, audio) and one frame from it, or what is wrong.
 */
export function TestConnection({ url, username, password }: { url: string; username?: string; password?: string }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StreamTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await client.call(
        'cameras.test',
        { url: url.trim(), ...(username?.trim() ? { username: username.trim(), password: password ?? '' } : {}), timeoutMs: TEST_MS },
        { timeoutMs: TEST_MS + 15_000 },
      );
      setResult(r);
    } catch (err) {
      setError(fieldError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="test-connection" data-testid="test-connection">
      <button type="button" className="btn" onClick={run} disabled={busy || !url.trim()} data-testid="test-connection-run">
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      {error && (
        <Notice tone="error" testId="test-connection-error">
          {error}
        </Notice>
      )}
      {result && (
        <div className="test-result" data-testid="test-connection-result">
          <div>
            <strong>{(result.codec ?? '?').toUpperCase()}</strong>
            {result.profile ? ` ${result.profile}` : ''} · {formatResolution(result.width, result.height)} · {formatFps(result.fps)} · audio {result.audio ?? 'none'}
          </div>
          {result.snapshot && <img className="test-snapshot" src={result.snapshot} alt="A frame from the stream" data-testid="test-connection-snapshot" />}
          {result.notes.map((n) => (
            <Notice key={n} tone="warn">
              {n}
            </Notice>
          ))}
        </div>
      )}
    </div>
  );
}
