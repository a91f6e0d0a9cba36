import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FormActions, FormError, FormFooter } from './FormFooter.js';

const html = (el: ReactElement) => renderToStaticMarkup(el);
const noop = () => {};

describe('FormError', () => {
  it('renders nothing without an error', () => {
    expect(html(<FormError error={null} testId="x-error" />)).toBe('');
    expect(html(<FormError error="" />)).toBe('');
    expect(html(<FormError error={undefined} />)).toBe('');
  });

  it('renders the form-error paragraph, with or without a test id', () => {
    expect(html(<FormError error="Bad URL" testId="x-error" />)).toBe(
      '<p class="form-error" role="alert" data-testid="x-error">Bad URL</p>',
    );
    expect(html(<FormError error="Bad URL" />)).toBe('<p class="form-error" role="alert">Bad URL</p>');
  });
});

describe('FormActions', () => {
  it('is the markup the dialogs wrote by hand: Cancel, then the submit button', () => {
    for (const busy of [false, true]) {
      expect(html(<FormActions onCancel={noop} submitLabel="Save" busyLabel="Saving…" busy={busy} submitTestId="x-submit" />)).toBe(
        html(
          <div className="form-actions">
            <button type="button" className="btn" onClick={noop}>
              Cancel
            </button>
            <button type="submit" className="btn primary" disabled={busy} data-testid="x-submit">
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>,
        ),
      );
    }
  });

  it('puts extra buttons before Cancel, says Close when told, keeps the label when no busy label is given', () => {
    const out = html(
      <FormActions onCancel={noop} cancelLabel="Close" submitLabel="Save" busy submitTestId="x-submit">
        <button type="button" className="btn">
          Defaults
        </button>
      </FormActions>,
    );
    expect(out).toBe(
      '<div class="form-actions"><button type="button" class="btn">Defaults</button><button type="button" class="btn">Close</button>' +
        '<button type="submit" class="btn primary" disabled="" data-testid="x-submit">Save</button></div>',
    );
  });

  it('can sit on the left, without Cancel, and be disabled for another reason', () => {
    expect(html(<FormActions left submitLabel="Save" submitTestId="x-save" />)).toBe(
      '<div class="form-actions left"><button type="submit" class="btn primary" data-testid="x-save">Save</button></div>',
    );
    expect(html(<FormActions submitLabel="Save" busy={false} disabled submitTestId="x-save" />)).toContain('disabled=""');
    expect(html(<FormActions submitLabel="Save" busy={false} disabled={false} />)).not.toContain('disabled');
  });
});

describe('FormFooter', () => {
  it('is the error line then the buttons', () => {
    expect(html(<FormFooter error="Nope" errorTestId="x-error" onCancel={noop} submitLabel="Add" submitTestId="x-submit" />)).toBe(
      '<p class="form-error" role="alert" data-testid="x-error">Nope</p>' +
        '<div class="form-actions"><button type="button" class="btn">Cancel</button>' +
        '<button type="submit" class="btn primary" data-testid="x-submit">Add</button></div>',
    );
    expect(html(<FormFooter error={null} submitLabel="Add" />)).toBe(
      '<div class="form-actions"><button type="submit" class="btn primary">Add</button></div>',
    );
  });
});
