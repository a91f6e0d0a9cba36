import { useState } from 'react';

/** Ten recovery codes, shown once: a list to write down, copy or save as a text file. */
export function RecoveryCodes({ codes, username }: { codes: string[]; username: string }) {
  const [copied, setCopied] = useState(false);
  const text = `Gatehouse recovery codes for ${username} (each works once)\n\n${codes.join('\n')}\n`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="recovery-codes">
      <p>
        Each code signs you in once if your phone is lost. Keep them somewhere safe, away from this device: they are shown only now.
      </p>
      <ol className="recovery-list" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="recovery-actions">
        <button type="button" className="btn" onClick={() => void copy()} data-testid="recovery-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <a className="btn" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download={`gatehouse-recovery-${username}.txt`} data-testid="recovery-download">
          Save as a file
        </a>
      </div>
    </div>
  );
}
