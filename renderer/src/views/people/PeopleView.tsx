/**
 * People: who face recognition knows (supervisors and admins; guards see
 * matches on alarms only). Keyboard-driven like Review: j / k move, n adds a
 * person (admin), e enrols a face from a photo (admin: the faces found are
 * shown with their quality; with several, pick one with 1–9 or a click),
 * s searches where the person was seen and p where the person in a photo was
 * (the photo is not kept; Enter on a hit opens playback), and
 * Delete forgets the person after a confirmation (right to erasure: the
 * engine says what it removed). Every change and search is audited.
 */
import { useEffect, useRef, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import { PERSON_GROUPS, type FaceSearchHit, type PersonInfo, type PhotoFaceInfo } from '../../../../main/api/faces.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import { EnrolFromEventDialog } from './EnrolFromEventDialog.js';
import { photoBase64 } from './photo.js';
import './people.css';

/** Playback starts this long before the face was seen. */
const PREROLL_MS = 5000;

export function PeopleView() {
  const conn = useConnection();
  const user = conn.user!;
  const canRead = roleRank[user.role] >= roleRank.supervisor;
  const isAdmin = user.role === 'admin';
  if (!canRead) {
    return (
      <div className="people-view" data-testid="view-people">
        <div className="toolbar">
          <h1>People</h1>
        </div>
        <p className="empty muted" data-testid="people-forbidden">
          Only supervisors and admins see the people face recognition knows. Face matches show on alarms.
        </p>
      </div>
    );
  }
  return <People isAdmin={isAdmin} />;
}

function People({ isAdmin }: { isAdmin: boolean }) {
  const client = useClient();
  const toast = useToast();
  const tz = useTimeZone();
  const { byId } = useCameras();
  const q = useQuery('people.list', {}, { events: ['people.changed'] });
  const people = q.data ?? [];
  const [selId, setSelId] = useState<string | null>(null);
  const index = Math.max(
    0,
    people.findIndex((p) => p.id === selId),
  );
  const cur: PersonInfo | undefined = people[index];
  const [dialog, setDialog] = useState<'add' | 'enrol' | 'forget' | 'enrolHit' | null>(null);
  const [hits, setHits] = useState<{ personId: string; label: string; items: FaceSearchHit[] } | null>(null);
  const photoRef = useRef<HTMLInputElement>(null);
  const [hit, setHit] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const setIndex = (i: number) => {
    const j = Math.max(0, Math.min(i, people.length - 1));
    setSelId(people[j]?.id ?? null);
    setHits(null);
  };
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [index]);

  const search = async () => {
    if (!cur) return;
    try {
      const r = await client.call('faces.search', { person: cur.id, limit: 100 });
      setHits({ personId: cur.id, label: `Where ${cur.name} was seen`, items: r.hits });
      setHit(0);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };
  const searchPhoto = async (file: File | undefined) => {
    if (!file) return;
    try {
      const r = await client.call('faces.searchPhoto', { image: await photoBase64(file), limit: 100 });
      setHits({ personId: 'photo', label: `Photo search: ${r.hits.length} sighting(s) among ${r.searched} kept face(s)`, items: r.hits });
      setHit(0);
    } catch (err) {
      toast((err as Error).message, 'error');
    } finally {
      if (photoRef.current) photoRef.current.value = '';
    }
  };
  const shown = hits && (hits.personId === 'photo' || (cur && hits.personId === cur.id)) ? hits.items : null;
  const play = (h: FaceSearchHit | undefined) => {
    if (!h) return false;
    navigate('playback', { camera: h.cameraId, t: new Date(Date.parse(h.time) - PREROLL_MS).toISOString() });
  };

  useShortcuts('People', [
    { keys: ['j', 'down'], description: 'Next person', run: () => setIndex(index + 1) },
    { keys: ['k', 'up'], description: 'Previous person', run: () => setIndex(index - 1) },
    { keys: 's', description: 'Where was this person seen (search; audited)', run: () => void search() },
    { keys: 'p', description: 'Search by a photo (not kept; audited)', run: () => photoRef.current?.click() },
    ...(shown
      ? [
          { keys: ']', description: 'Next sighting', run: () => setHit((h) => Math.min(h + 1, shown.length - 1)) },
          { keys: '[', description: 'Previous sighting', run: () => setHit((h) => Math.max(h - 1, 0)) },
          { keys: 'enter', description: 'Play the sighting back', run: () => play(shown[hit]) },
          ...(isAdmin ? [{ keys: 'shift+e', description: "Enrol the sighting's face (from its event)", run: () => (shown[hit]?.eventId != null ? setDialog('enrolHit') : false) }] : []),
        ]
      : []),
    ...(isAdmin
      ? [
          { keys: 'n', description: 'Add a person', run: () => setDialog('add') },
          { keys: 'e', description: 'Enrol a face from a photo', run: () => (cur ? setDialog('enrol') : false) },
          {
            keys: ['delete', 'shift+d'],
            description: 'Forget the person (descriptors, photos, face crops)',
            run: () => (cur ? setDialog('forget') : false),
          },
        ]
      : []),
  ]);

  const hitsList = shown ? (
    <div
      className="people-hits"
      data-testid="people-hits"
      data-count={shown.length}
      data-kind={hits?.personId === 'photo' ? 'photo' : 'person'}
    >
      <div className="small muted">{hits?.label}</div>
      {shown.map((h, i) => (
        <div
          key={h.cropId}
          className={`people-hit${i === hit ? ' current' : ''}`}
          data-testid="people-hit"
          onClick={() => setHit(i)}
          onDoubleClick={() => play(h)}
        >
          {byId(h.cameraId)?.name ?? h.cameraId} · {formatDateTime(h.time, tz)}
          {h.distance !== null && <span className="muted"> · distance {h.distance.toFixed(2)}</span>}
          {isAdmin && i === hit && h.eventId !== null && (
            <button type="button" className="btn small" onClick={() => setDialog('enrolHit')} data-testid="people-hit-enrol" title="Add this face to a person's enrolled faces">
              Enrol this face <kbd>E</kbd>
            </button>
          )}
        </div>
      ))}
      {!shown.length && <span className="muted small">Not seen on any camera within the face crop retention.</span>}
    </div>
  ) : null;

  return (
    <div className="people-view" data-testid="view-people">
      <div className="toolbar">
        <h1>People</h1>
        <span className="muted small">
          {people.length} people · faces are matched on cameras with face recognition on (Cameras → a camera)
        </span>
        <button type="button" className="btn" onClick={() => photoRef.current?.click()} data-testid="people-search-photo">
          Search by photo <kbd>p</kbd>
        </button>
        <input
          ref={photoRef}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          hidden
          onChange={(e) => void searchPhoto(e.target.files?.[0])}
          data-testid="people-search-photo-file"
          aria-label="Photo to search for (p)"
        />
        {isAdmin && (
          <button type="button" className="btn" onClick={() => setDialog('add')} data-testid="people-add">
            Add person <kbd>n</kbd>
          </button>
        )}
      </div>
      <div className="people-body">
        <div className="people-list" ref={listRef} data-testid="people-list" data-count={people.length}>
          {people.length > 0 && (
            <div role="listbox" tabIndex={0} aria-label="People">
              {people.map((p, i) => {
                const best = p.enrolments.reduce((m, e) => Math.max(m, e.quality), 0);
                return (
                  <div
                    key={p.id}
                    role="option"
                    aria-selected={i === index}
                    className={`people-row${i === index ? ' current' : ''}`}
                    data-testid="people-row"
                    data-index={i}
                    data-person={p.name}
                    onClick={() => setIndex(i)}
                  >
                    <div className="people-main">
                      <div>
                        <b>{p.name}</b>{' '}
                        {p.groups.map((g) => (
                          <span key={g} className={`badge${g === 'watchlist' ? ' alert' : ''}`}>
                            {g}
                          </span>
                        ))}
                      </div>
                      <div className="muted small">
                        {p.badges.length ? `badge ${p.badges.join(', ')}` : 'no badge'} ·{' '}
                        {p.enrolments.length ? `${p.enrolments.length} face(s), best quality ${best.toFixed(2)}` : 'no face enrolled'}
                      </div>
                    </div>
                  </div>
                );
              })}
            </div>
          )}
          {!q.loading && !people.length && (
            <div className="empty muted" data-testid="people-empty">
              Nobody yet. {isAdmin ? 'Add a person with n, then enrol a photo with e.' : 'An admin adds people and enrols their faces.'}
            </div>
          )}
          <FormError error={q.error?.message} />
        </div>
        {cur && (
          <aside className="people-detail" aria-label="The selected person" data-testid="people-detail" data-person={cur.name}>
            <h2>{cur.name}</h2>
            <dl className="kv">
              <div>
                <dt>Badges</dt>
                <dd>{cur.badges.join(', ') || '–'}</dd>
              </div>
              <div>
                <dt>Groups</dt>
                <dd>{cur.groups.join(', ') || '–'}</dd>
              </div>
              <div>
                <dt>Added</dt>
                <dd>{formatDateTime(cur.created, tz)}</dd>
              </div>
            </dl>
            <div className="people-faces" data-testid="people-enrolments">
              {cur.enrolments.map((e) => (
                <EnrolmentThumb key={e.id} id={e.id} grade={e.grade} quality={e.quality} sizePx={e.sizePx} canSee={isAdmin} />
              ))}
              {!cur.enrolments.length && <span className="muted small">No face enrolled: matching needs at least one.</span>}
            </div>
            <div className="form-actions">
              {isAdmin && (
                <button type="button" className="btn primary" onClick={() => setDialog('enrol')} data-testid="people-enrol">
                  Enrol photo <kbd>e</kbd>
                </button>
              )}
              <button type="button" className="btn" onClick={() => void search()} data-testid="people-search">
                Where seen <kbd>s</kbd>
              </button>
              {isAdmin && (
                <button type="button" className="btn danger" onClick={() => setDialog('forget')} data-testid="people-forget">
                  Forget <kbd>Del</kbd>
                </button>
              )}
            </div>
            {shown && hitsList}
          </aside>
        )}
        {!cur && shown && (
          <aside className="people-detail" aria-label="Search results">
            {hitsList}
          </aside>
        )}
      </div>

      {dialog === 'add' && <AddPersonDialog onClose={() => setDialog(null)} onAdded={(p) => setSelId(p.id)} />}
      {dialog === 'enrol' && cur && <EnrolDialog person={cur} onClose={() => setDialog(null)} />}
      {dialog === 'enrolHit' && shown?.[hit]?.eventId != null && (
        <EnrolFromEventDialog
          eventId={shown[hit].eventId}
          cropId={shown[hit].cropId}
          caption={`Seen on ${byId(shown[hit].cameraId)?.name ?? shown[hit].cameraId}, ${formatDateTime(shown[hit].time, tz)}`}
          personId={hits?.personId !== 'photo' ? (cur?.id ?? null) : null}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'forget' && cur && (
        <ConfirmDialog
          title={`Forget ${cur.name}?`}
          confirmLabel="Forget"
          danger
          testId="people-forget-dialog"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const r = await client.call('people.forget', { person: cur.id });
            toast(
              `Forgot ${r.person.name}: ${r.enrolments} face(s), ${r.crops} face crop(s), ${r.files.length} file(s) deleted; name removed from ${r.events} event(s) and ${r.alarms} alarm(s).`,
              'ok',
            );
            setSelId(null);
          }}
        >
          Deletes {cur.name}, their {cur.enrolments.length} enrolled face(s), every face crop matched to them, and their name on events and
          alarms. This cannot be undone; it is audited.
        </ConfirmDialog>
      )}
    </div>
  );
}

function EnrolmentThumb({
  id,
  grade,
  quality,
  sizePx,
  canSee,
}: {
  id: string;
  grade: string;
  quality: number;
  sizePx: number;
  canSee: boolean;
}) {
  const client = useClient();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!canSee) return;
    let live = true;
    client.call('people.getEnrolmentImage', { enrolmentId: id }).then(
      (r) => live && setUrl(r.dataUrl),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, id, canSee]);
  return (
    <figure className="people-face" data-testid="people-enrolment" data-grade={grade}>
      {url ? <img src={url} alt="enrolled face" /> : <div className="people-face-empty" />}
      <figcaption className={`grade-${grade}`}>
        {grade} {quality.toFixed(2)} · {sizePx} px
      </figcaption>
    </figure>
  );
}

function AddPersonDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (p: PersonInfo) => void }) {
  const client = useClient();
  const [name, setName] = useState('');
  const [badge, setBadge] = useState('');
  const [group, setGroup] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    try {
      const p = await client.call('people.add', {
        name,
        badges: badge.trim()
          ? badge
              .split(',')
              .map((b) => b.trim())
              .filter(Boolean)
          : [],
        groups: group ? [group as (typeof PERSON_GROUPS)[number]] : [],
      });
      onAdded(p);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useShortcuts('Add a person', [{ keys: 'enter', description: 'Add the person', allowInInput: true, run: () => void submit() }], {
    modal: true,
  });
  return (
    <Dialog
      title="Add a person"
      onClose={onClose}
      testId="people-add-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={() => void submit()} data-testid="people-add-save">
            Add
          </button>
        </>
      }
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Name <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} data-testid="people-name" maxLength={120} />
        </label>
        <label>
          Badge ids (comma-separated) <input value={badge} onChange={(e) => setBadge(e.target.value)} data-testid="people-badge" />
        </label>
        <label>
          Group{' '}
          <select value={group} onChange={(e) => setGroup(e.target.value)} data-testid="people-group">
            <option value="">none</option>
            {PERSON_GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <FormError error={error} testId="people-add-error" />
      </form>
    </Dialog>
  );
}

/** Pick a photo, see the faces found with their quality, pick one when there are several, enrol. */
function EnrolDialog({ person, onClose }: { person: PersonInfo; onClose: () => void }) {
  const client = useClient();
  const toast = useToast();
  const fileRef = useRef<HTMLInputElement>(null);
  const [photo, setPhoto] = useState<string | null>(null);
  const [faces, setFaces] = useState<PhotoFaceInfo[] | null>(null);
  const [pick, setPick] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const usable = (faces ?? []).filter((f) => f.usable);

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setFaces(null);
    setPick(null);
    setBusy(true);
    try {
      const b64 = await photoBase64(file);
      setPhoto(b64);
      const r = await client.call('people.findFaces', { image: b64 });
      setFaces(r.faces);
      const ok = r.faces.filter((f) => f.usable);
      if (ok.length === 1) setPick(ok[0]!.index);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const enrol = async () => {
    if (!photo) return;
    if (usable.length > 1 && pick === null) {
      setError('the photo has several faces: pick the person with 1–9 or a click');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await client.call('people.enrol', { person: person.id, image: photo, ...(pick !== null ? { face: pick } : {}) });
      toast(`Enrolled a face of ${person.name} (quality ${r.enrolment.quality.toFixed(2)}, ${r.enrolment.grade}).`, 'ok');
      onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  useShortcuts(
    'Enrol',
    [
      { keys: 'o', description: 'Open a photo', run: () => fileRef.current?.click() },
      ...usable.slice(0, 9).map((f, i) => ({ keys: String(i + 1), description: `Pick face ${i + 1}`, run: () => setPick(f.index) })),
      { keys: 'enter', description: 'Enrol the picked face', run: () => void enrol() },
    ],
    { modal: true },
  );
  return (
    <Dialog
      title={`Enrol a face of ${person.name}`}
      onClose={onClose}
      testId="people-enrol-dialog"
      width={560}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn primary"
            onClick={() => void enrol()}
            disabled={busy || !photo || !usable.length}
            data-testid="people-enrol-save"
          >
            {busy ? 'Working…' : 'Enrol'} <kbd>Enter</kbd>
          </button>
        </>
      }
    >
      <p className="muted small">
        A well-lit photo of the face looking at the camera, at least 80 px wide. Only the face is kept, sealed with the site key.
      </p>
      <input
        ref={fileRef}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        onChange={(e) => void choose(e.target.files?.[0])}
        data-testid="people-photo"
        aria-label="Photo (o)"
      />
      {faces && (
        <div className="people-candidates" data-testid="people-candidates" data-count={faces.length}>
          {faces.map((f) => {
            const n = usable.indexOf(f);
            return (
              <button
                type="button"
                key={f.index}
                className={`people-candidate${pick === f.index ? ' current' : ''}`}
                disabled={!f.usable}
                onClick={() => setPick(f.index)}
                title={f.problem ?? `${f.sizePx} px wide`}
                data-testid="people-candidate"
                data-usable={f.usable}
              >
                <img src={f.thumbnail} alt={`face ${f.index + 1}`} />
                <span className={`grade-${f.grade}`}>
                  {n >= 0 && n < 9 ? <kbd>{n + 1}</kbd> : null} {f.grade} {f.quality.toFixed(2)}
                </span>
                {f.problem && <span className="small muted">{f.problem}</span>}
              </button>
            );
          })}
        </div>
      )}
      {usable.length > 1 && pick === null && <p className="small">Several faces: pick the one that is {person.name}.</p>}
      <FormError error={error} testId="people-enrol-error" />
    </Dialog>
  );
}
