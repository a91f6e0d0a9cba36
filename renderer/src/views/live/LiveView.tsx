/**
 * Placeholder: the Live view (camera grid, fMP4 over /api/live) belongs to the
 * "video" engineer, who replaces this file. Contract with the shell: export a
 * `LiveView` component with no props; register keys with `useShortcuts('Live', ...)`
 * from ../../keyboard/index.js.
 */
export function LiveView() {
  return (
    <div className="placeholder" data-testid="view-live">
      <h2>Live</h2>
      <p>The live camera grid arrives with the video module.</p>
    </div>
  );
}
