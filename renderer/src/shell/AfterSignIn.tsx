import { useConnection } from '../api/context.js';
import { navigate } from '../state/route.js';
import { showAfterSignIn, useAfterSignIn } from '../state/recovery-codes.js';
import { Dialog } from '../ui/Dialog.js';
import { RecoveryCodes } from '../ui/RecoveryCodes.js';

/** Once, right after a sign-in: the new recovery codes, or how many are left after one was used. */
export function AfterSignIn() {
  const info = useAfterSignIn();
  const { user } = useConnection();
  if (!info || !user) return null;
  const close = () => showAfterSignIn(null);
  if ('codes' in info) {
    return (
      <Dialog
        title="Two-factor sign-in is on"
        onClose={close}
        testId="recovery-codes-dialog"
        width={420}
        footer={
          <button type="button" className="btn primary" onClick={close} data-testid="recovery-codes-done">
            I have saved them
          </button>
        }
      >
        <RecoveryCodes codes={info.codes} username={user.username} />
      </Dialog>
    );
  }
  return (
    <Dialog
      title="You used a recovery code"
      onClose={close}
      testId="recovery-used-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Later
          </button>
          <button
            type="button"
            className="btn primary"
            onClick={() => {
              close();
              navigate('settings', { tab: 'account' });
            }}
          >
            Account settings
          </button>
        </>
      }
    >
      <p>
        {info.recoveryLeft === 0 ? 'That was the last one.' : `${info.recoveryLeft} recovery code${info.recoveryLeft === 1 ? '' : 's'} left.`} If your phone is lost, ask an
        administrator to reset your two-factor sign-in; else make new codes under Settings → Account.
      </p>
    </Dialog>
  );
}
