/**
 * The rule list (tried top to bottom; the first enabled rule that matches
 * decides) and the editor beside it. j/k move, Enter edits, n new, x turns
 * a rule on or off, Alt+↑/↓ moves it, Delete removes it, t dry-runs it.
 */
import { useState } from 'react';
import type { Rule } from '../../../../main/api/rules.js';
import { useClient, useQuery } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';
import { draftOf, newDraft, thenText, whenText, type Draft } from './rule-form.js';
import { RuleEditor } from './RuleEditor.js';

export function RulesTab({ isAdmin }: { isAdmin: boolean }) {
  const client = useClient();
  const toast = useToast();
  const rules = useQuery('rules.list', {}, { events: ['rules.changed'] });
  const meta = useQuery('rules.meta', {}, { events: ['rules.changed', 'arming.changed', 'cameras.changed'] });
  const list = rules.data?.rules ?? [];
  const roving = useRovingList(list.length);
  const [editing, setEditing] = useState<{ draft: Draft; key: number } | null>(null);
  const [removing, setRemoving] = useState<Rule | null>(null);
  const current = list[roving.index];

  const names = {
    camera: (id: string) => meta.data?.cameras.find((c) => c.id === id)?.name ?? id,
    zone: (id: string) => meta.data?.cameras.flatMap((c) => c.zones).find((z) => z.id === id)?.name ?? id,
    mode: (id: string) => meta.data?.modes.find((m) => m.id === id)?.name ?? id,
  };
  const edit = (d: Draft) => setEditing({ draft: d, key: Date.now() });
  const act = (p: Promise<unknown>) => p.then(rules.reload, (err: Error) => toast(err.message, 'error'));
  const move = (r: Rule, by: number) => {
    const i = list.indexOf(r);
    if (i + by < 0 || i + by >= list.length) return;
    void act(client.call('rules.move', { id: r.id, to: i + by })).then(() => roving.setIndex(i + by));
  };

  useShortcuts(
    'Rules',
    [
      { keys: ['j', 'down'], description: 'Next rule', run: () => roving.move(1) },
      { keys: ['k', 'up'], description: 'Previous rule', run: () => roving.move(-1) },
      { keys: 'enter', description: 'Edit the rule (read it, for supervisors)', run: () => current && edit(draftOf(current)) },
      { keys: 'n', description: 'New rule', enabled: isAdmin, run: () => edit(newDraft()) },
      {
        keys: 'x',
        description: 'Turn the rule on or off',
        enabled: isAdmin,
        run: () => current && void act(client.call('rules.setEnabled', { id: current.id, enabled: !current.enabled })),
      },
      {
        keys: ['alt+up', 'alt+down'],
        description: 'Move the rule up / down (earlier rules decide first)',
        enabled: isAdmin,
        run: (e) => current && move(current, e.key === 'ArrowUp' ? -1 : 1),
      },
      { keys: 'delete', description: 'Remove the rule', enabled: isAdmin, run: () => current && setRemoving(current) },
      { keys: 't', description: 'Dry run the rule (in the editor)', run: () => current && edit(draftOf(current)) },
    ],
    { active: !editing },
  );

  if (rules.error)
    return (
      <Notice tone="error" onRetry={rules.reload}>
        {rules.error.message}
      </Notice>
    );
  return (
    <div className="rules-tab">
      <div className="rules-list">
        <div className="subtoolbar">
          <span className="muted">
            {rules.data?.builtIn ? 'The built-in rules. ' : ''}Tried top to bottom; the first enabled rule that matches decides.
          </span>
          <span className="spacer" />
          {isAdmin && (
            <button type="button" className="btn primary small" onClick={() => edit(newDraft())} data-testid="rule-new">
              New rule <kbd>N</kbd>
            </button>
          )}
        </div>
        <div className="table-wrap">
          <table className="grid" aria-label="Rules" data-testid="rules-table">
            <thead>
              <tr>
                <th>#</th>
                <th>On</th>
                <th>Name</th>
                <th>When</th>
                <th>Then</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r, i) => (
                <tr
                  key={r.id}
                  {...roving.itemProps(i)}
                  className={r.enabled ? '' : 'dim'}
                  data-testid="rule-row"
                  data-rule={r.id}
                  data-enabled={r.enabled}
                  onDoubleClick={() => edit(draftOf(r))}
                  onClick={() => roving.setIndex(i)}
                >
                  <td className="num">{i + 1}</td>
                  <td>{r.enabled ? 'on' : 'off'}</td>
                  <td>{r.name}</td>
                  <td className="rule-when">{whenText(r, names)}</td>
                  <td>{thenText(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="rules-side">
        {editing && meta.data ? (
          <RuleEditor
            key={editing.key}
            initial={editing.draft}
            meta={meta.data}
            isAdmin={isAdmin}
            onClose={() => {
              setEditing(null);
              setTimeout(() => roving.focusCurrent(), 0);
            }}
            onSaved={(r) => {
              toast(`Rule "${r.name}" saved; it is in force now`, 'info');
              rules.reload();
              setEditing({ draft: draftOf(r), key: editing.key });
            }}
          />
        ) : (
          <div className="rules-help muted">
            <p>
              Pick a rule and press <kbd>Enter</kbd> to {isAdmin ? 'edit' : 'read'} it and to see its dry run: what it would have raised
              over the last 24 h.
            </p>
            {isAdmin && (
              <p>
                <kbd>N</kbd> adds a rule (by default: a person dwelling in a zone raises a P2 alarm). <kbd>X</kbd> turns one on or off,{' '}
                <kbd>Alt+↑</kbd>/<kbd>Alt+↓</kbd> move it, <kbd>Delete</kbd> removes it.
              </p>
            )}
          </div>
        )}
      </div>
      {removing && (
        <ConfirmDialog
          title={`Remove rule "${removing.name}"?`}
          confirmLabel="Remove"
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await client.call('rules.remove', { id: removing.id });
            rules.reload();
          }}
        >
          <p>Events it matched go to the next rule that matches (the built-in ones raise their usual alarms).</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
