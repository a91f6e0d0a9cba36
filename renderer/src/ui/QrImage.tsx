/** An SVG QR code made by the engine (auth.totpBegin), shown as an image: no script, no network. */
export function QrImage({ svg, label, testId }: { svg: string; label: string; testId?: string }) {
  return <img className="qr-image" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={label} data-testid={testId} width={200} height={200} />;
}
