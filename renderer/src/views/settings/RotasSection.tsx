import { useState } from 'react';
import type { ContactView, Rota } from '../../../../main/api/notify.js';
import { formatPeriod, rotaTurn } from '../../../../main/api/rota.js';
import { useClient } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useNow } from '../../state/now.js';
import { formatDateTime } from '../../time/index.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { RotaDialog } from './RotaDialog.js';

/** Is the keyboard focus in the rotas table? (The contact list's j/k/e/Delete leave the keys to it then.) */
export const focusInRotas = () => !!document.activeElement?.closest('[data-keys="rotas"]');

const minutes = (ms: number | string, tz: string) => formatDateTime(ms, tz).slice(0, 16);

/**
 * Settings → On call → Rotas: each rota with its period, its members in
 * order and whose turn it is now and until when; admins add (R), edit (E or
 * Enter on a row) and remove (Delete, confirmed) them. Every change is one
 * rota's (rotas.add, rotas.update, rotas.remove; each audited), never the
 * whole list written back.
 */
export function RotasSection({
  rotas,
  contacts,
  isAdmin,
  timeZone,
  onChanged,
}: {
  rotas: Rota[];
  contacts: ContactView[];
  isAdmin: boolean;
  timeZone: string;
  onChanged: () => void;
}) {
  const client = useClient();
  const toast = useToast();
  const now = useNow(30_000);
  const roving = useRovingList(rotas.length);
  const current = rotas[roving.index];
  const [dialog, setDialog] = useState<{ kind: 'edit'; rota: Rota | null } | { kind: 'remove'; rota: Rota } | null>(null);
  const nameOf = (id: string) => contacts.find((c) => c.id === id)?.name ?? id;

  const inList = (fn: () => void) => () => (focusInRotas() && current ? fn() : false);
  useShortcuts('Rotas', [
    { keys: 'r', description: 'Add a rota', enabled: isAdmin, run: () => setDialog({ kind: 'edit', rota: null }) },
    { keys: ['j', 'down'], description: 'Next rota (in the rotas list)', run: inList(() => roving.move(1)) },
    { keys: ['k', 'up'], description: 'Previous rota (in the rotas list)', run: inList(() => roving.move(-1)) },
    {
      keys: ['e', 'enter'],
      description: 'Edit the selected rota',
      enabled: isAdmin,
      run: inList(() => setDialog({ kind: 'edit', rota: current! })),
    },
    {
      keys: 'delete',
      description: 'Remove the selected rota',
      enabled: isAdmin,
      run: inList(() => setDialog({ kind: 'remove', rota: current! })),
    },
  ]);

  const remove = async (rota: Rota) => {
    try {
      await client.call('rotas.remove', { id: rota.id });
    } catch (err) {
      // removed meanwhile (another admin, the CLI): what was asked for is done
      if ((err as { code?: string }).code !== 'not_found') throw err;
    }
    toast(`Rota ${rota.name} removed`);
    onChanged();
  };

  return (
    <section data-testid="rotas-section">
      <div className="subtoolbar">
        <h2>Rotas</h2>
        <span className="muted">members take turns; a member is on duty only on their turn (and within their own hours)</span>
        <span className="spacer" />
        {isAdmin && (
          <button type="button" className="btn" onClick={() => setDialog({ kind: 'edit', rota: null })} data-testid="rota-add">
            Add rota <kbd>r</kbd>
          </button>
        )}
      </div>
      {!rotas.length ? (
        <p className="muted" data-testid="rotas-none">
          No rotas: contacts are on duty by their own hours. {isAdmin ? 'Add one with R.' : ''}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="grid" data-testid="rotas-table" data-keys="rotas">
            <thead>
              <tr>
                <th>Name</th>
                <th>Turns</th>
                <th>Members, in order</th>
                <th>Now</th>
                <th>Until</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {rotas.map((r, i) => {
                const t = rotaTurn(r, now);
                const tab = i === roving.index ? 0 : -1;
                return (
                  <tr key={r.id} {...roving.itemProps(i)} data-testid="rota-row" data-id={r.id}>
                    <td>{r.name}</td>
                    <td className="small">
                      {formatPeriod(r.periodHours)} <span className="muted">from {minutes(r.startsAt, timeZone)}</span>
                    </td>
                    <td className="small rota-order">
                      {r.members.map((m, j) => (
                        <span key={m} className={t?.index === j ? 'rota-turn' : undefined}>
                          {j > 0 && <span className="muted"> → </span>}
                          {nameOf(m)}
                        </span>
                      ))}
                    </td>
                    <td data-testid="rota-now" className={t ? 'text-ok' : 'muted'}>
                      {t ? `${nameOf(t.member)} (${t.index + 1} of ${r.members.length})` : 'not started'}
                    </td>
                    <td className="small" data-testid="rota-until">
                      {t ? (
                        <>
                          {minutes(t.endsMs, timeZone)} <span className="muted">then {nameOf(t.next)}</span>
                        </>
                      ) : (
                        <span className="muted">
                          starts {minutes(r.startsAt, timeZone)} with {nameOf(r.members[0]!)}
                        </span>
                      )}
                    </td>
                    <td className="c-act">
                      {isAdmin && (
                        <>
                          <RowButton tabIndex={tab} onClick={() => setDialog({ kind: 'edit', rota: r })} data-testid="rota-edit">
                            Edit
                          </RowButton>
                          <RowButton tabIndex={tab} onClick={() => setDialog({ kind: 'remove', rota: r })} data-testid="rota-remove">
                            Remove
                          </RowButton>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {dialog?.kind === 'edit' && (
        <RotaDialog
          rota={dialog.rota}
          contacts={contacts}
          timeZone={timeZone}
          onClose={() => setDialog(null)}
          onDone={(name) => (setDialog(null), toast(`Rota ${name} saved`), onChanged())}
        />
      )}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove the rota ${dialog.rota.name}?`}
          confirmLabel="Remove"
          danger
          testId="rota-remove-dialog"
          onClose={() => setDialog(null)}
          onConfirm={() => remove(dialog.rota)}
        >
          {dialog.rota.members.map(nameOf).join(', ')} will no longer take turns: each is on duty by their own hours again, unless in
          another rota.
        </ConfirmDialog>
      )}
    </section>
  );
}
