/**
 * Placeholder: the Playback view (timeline, recorded media from /api/media) belongs
 * to the "video" engineer, who replaces this file. Contract with the shell: export
 * a `PlaybackView` component with no props.
 */
export function PlaybackView() {
  return (
    <div className="placeholder" data-testid="view-playback">
      <h2>Playback</h2>
      <p>Recorded video and the timeline arrive with the video module.</p>
    </div>
  );
}
