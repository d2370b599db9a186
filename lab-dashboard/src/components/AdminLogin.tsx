import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { logIn, logOut, useLabSession } from '../lib/session';

/**
 * The lab admin's login to the lab API, in the header. Watching is open to anyone; changing the lab (knobs, reset,
 * runs, redrive) needs this login, as it would for a shop's admin pages. The buyers' sign-ups in the panes are theirs.
 */
export function AdminLogin() {
  const session = useLabSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void labApi.get<{ admin_email?: string }>('/info').then((r) => {
      if (r.ok && r.body.admin_email) setEmail((current) => current || (r.body.admin_email as string));
    });
  }, []);

  if (session.logged_in) {
    return (
      <div className="admin-login" data-testid="admin-session">
        <span className="muted">Lab admin: {session.email}</span>
        <button type="button" className="secondary small" onClick={() => void logOut()} data-testid="admin-logout">
          Log out
        </button>
      </div>
    );
  }
  return (
    <form
      className="admin-login"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        const problem = await logIn(email, password);
        setBusy(false);
        setError(problem);
        if (!problem) setPassword('');
      }}
    >
      <span className="muted">Lab admin</span>
      <AdminField kind="email" value={email} onChange={setEmail} />
      <AdminField kind="password" value={password} onChange={setPassword} />
      <button type="submit" className="small" disabled={busy || !password} data-testid="admin-login">
        Log in
      </button>
      {error && (
        <span className="error small-text" role="alert" data-testid="admin-login-error">
          {error}
        </span>
      )}
    </form>
  );
}

/** What each field of the login form says, and what a password manager fills into it. */
const FIELDS = {
  email: { label: 'Lab admin email', placeholder: 'admin email', autoComplete: 'username' },
  password: { label: 'Lab admin password', placeholder: 'password', autoComplete: 'current-password' },
} as const;

function AdminField(props: { kind: keyof typeof FIELDS; value: string; onChange: (value: string) => void }) {
  const { label, placeholder, autoComplete } = FIELDS[props.kind];
  return (
    <input
      type={props.kind}
      aria-label={label}
      placeholder={placeholder}
      autoComplete={autoComplete}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      data-testid={`admin-${props.kind}`}
    />
  );
}

/** Shown where a control needs the login. */
export function LoginHint({ what }: { what: string }) {
  return <p className="notice small-text">Log in as the lab admin (top right) to {what}.</p>;
}
