/**
 * Placeholder: the alarm queue belongs to the alarms engineer, who replaces this
 * file. Contract with the shell: export an `AlarmsView` component with no props.
 */
export function AlarmsView() {
  return (
    <div className="placeholder" data-testid="view-alarms">
      <h2>Alarms</h2>
      <p>Alarm queue arrives with the alarms module.</p>
    </div>
  );
}
