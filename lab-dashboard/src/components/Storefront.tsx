import { useCallback, useEffect, useRef, useState } from 'react';
import { useLiveTimer } from '../hooks/useLiveTimer';
import { stackApi } from '../lib/api';
import { formatMoney, formatMs, formatTimer, STACK_LABELS } from '../lib/format';
import { type Cart, FINAL_STATUSES, type Order, type Product } from '../lib/shop-types';
import { FIXES, type StackId } from '../../shared/types';
import { StepsBar } from './StepsBar';
import { Switches } from './Switches';

interface Session {
  token: string;
  email: string;
}

function loadSession(stack: StackId): Session | null {
  try {
    return JSON.parse(sessionStorage.getItem(`checkout-lab-session-${stack}`) ?? 'null');
  } catch {
    return null;
  }
}

function newBuyerEmail(): string {
  return `student-${Math.random().toString(36).slice(2, 8)}@checkout.lab`;
}

/**
 * One shop, one pane: sign up or log in, the catalogue, the cart and the checkout with a live timer. The two panes
 * are the same component; what differs is what the stack answers (201 after everything, or 202 at once).
 */
export function Storefront({ stack }: { stack: StackId }) {
  const [session, setSession] = useState<Session | null>(() => loadSession(stack));
  const api = stackApi(stack, session?.token ?? null);
  const [error, setError] = useState<string | null>(null);

  const signOut = () => {
    sessionStorage.removeItem(`checkout-lab-session-${stack}`);
    setSession(null);
  };

  return (
    <section className={`pane pane-${stack}`} data-testid={`pane-${stack}`}>
      <header className="pane-header">
        <h2>{STACK_LABELS[stack]}</h2>
        <span className="pane-hint">
          {stack === 'monolith'
            ? 'one process, one transaction: the buyer waits for everything'
            : 'seven processes and events: the buyer waits only for the accept'}
        </span>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stack === 'monolith' && (
        <Switches
          path="/lab/fixes"
          title="Fixes (the fair fight: is it the architecture or the transaction?)"
          switches={FIXES}
          testId="fixes"
          itemTestId="fix"
          unavailableText="not available: this monolith has no fix switches"
        />
      )}
      {session ? (
        <Shop
          stack={stack}
          api={api}
          session={session}
          onError={setError}
          onSignOut={signOut}
          onUnauthorized={() => {
            signOut();
            setError('Your session ended (the stack was restarted or reset): sign in again.');
          }}
        />
      ) : (
        <SignIn
          stack={stack}
          onSignedIn={(s) => {
            sessionStorage.setItem(`checkout-lab-session-${stack}`, JSON.stringify(s));
            setError(null);
            setSession(s);
          }}
          onError={setError}
        />
      )}
    </section>
  );
}

function SignIn({
  stack,
  onSignedIn,
  onError,
}: {
  stack: StackId;
  onSignedIn: (s: Session) => void;
  onError: (message: string | null) => void;
}) {
  const [email, setEmail] = useState(newBuyerEmail);
  const [password, setPassword] = useState('password123');
  const [busy, setBusy] = useState(false);
  const api = stackApi(stack, null);

  const logIn = async () => {
    const login = await api.post<{ access_token: string }>('/auth/login', { email, password });
    if (!login.ok) return onError(`Log in failed: ${login.error?.message}`);
    onSignedIn({ token: login.body.access_token, email });
  };

  const submit = async (mode: 'signup' | 'login') => {
    setBusy(true);
    onError(null);
    try {
      if (mode === 'signup') {
        const created = await api.post('/auth/register', { email, password, full_name: email.split('@')[0] });
        if (!created.ok) return onError(`Sign up failed: ${created.error?.message}`);
      }
      await logIn();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="signin"
      onSubmit={(e) => {
        e.preventDefault();
        void submit('signup');
      }}
    >
      <p className="muted">
        A new buyer is filled in for you: press Sign up, or type an account you made before and Log in.
      </p>
      <label>
        Email
        <input value={email} onChange={(e) => setEmail(e.target.value)} data-testid={`email-${stack}`} />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid={`password-${stack}`}
        />
      </label>
      <div className="row">
        <button type="submit" disabled={busy} data-testid={`signup-${stack}`}>
          Sign up
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void submit('login')}>
          Log in
        </button>
      </div>
    </form>
  );
}

type Api = ReturnType<typeof stackApi>;

function Shop({
  stack,
  api,
  session,
  onError,
  onSignOut,
  onUnauthorized,
}: {
  stack: StackId;
  api: Api;
  session: Session;
  onError: (message: string | null) => void;
  onSignOut: () => void;
  onUnauthorized: () => void;
}) {
  const [products, setProducts] = useState<Product[]>([]);
  const [cart, setCart] = useState<Cart | null>(null);
  const [checkingOut, setCheckingOut] = useState(false);
  const [order, setOrder] = useState<Order | null>(null);
  const [accept, setAccept] = useState<{ status: number; ms: number } | null>(null);
  const waited = useLiveTimer(checkingOut);

  // biome-ignore lint/correctness/useExhaustiveDependencies: api changes identity each render; the token is what matters
  const refresh = useCallback(async () => {
    const [p, c] = await Promise.all([api.get<{ items: Product[] }>('/products?limit=50'), api.get<Cart>('/cart')]);
    if (c.status === 401) return onUnauthorized();
    if (!p.ok) return onError(`Catalogue: ${p.error?.message}`);
    setProducts(p.body.items);
    if (c.ok) setCart(c.body);
  }, [session.token]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const add = async (productId: number) => {
    onError(null);
    const result = await api.post<Cart>('/cart/items', { product_id: productId, quantity: 1 });
    if (result.status === 401) return onUnauthorized();
    if (!result.ok) return onError(`Add to cart: ${result.error?.message}`);
    setCart(result.body);
  };

  const checkout = async () => {
    onError(null);
    setOrder(null);
    setAccept(null);
    setCheckingOut(true);
    const result = await api.post<Order>('/orders/checkout', undefined, { 'idempotency-key': crypto.randomUUID() });
    setCheckingOut(false);
    setAccept({ status: result.status, ms: result.elapsed_ms });
    if (result.status === 401) return onUnauthorized();
    if (!result.ok) {
      onError(`Checkout answered ${result.status} ${result.error?.code}: ${result.error?.message}`);
      return;
    }
    setOrder(result.body);
    void refresh();
  };

  const sorted = [...products].sort((a, b) => a.id - b.id);
  return (
    <div className="shop">
      <div className="row between">
        <span className="muted">
          Signed in as <b>{session.email}</b>
        </span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      <div className="shop-grid">
        <div className="catalogue">
          <h3>Catalogue</h3>
          <ul className="products" data-testid={`products-${stack}`}>
            {sorted.map((p) => (
              <li key={p.id}>
                <span className="product-name" title={p.description}>
                  {p.name}
                </span>
                <span className="muted" data-testid={`stock-${stack}-${p.id}`}>
                  {formatMoney(p.price)} · {p.stock} left
                </span>
                <button
                  type="button"
                  className="small"
                  disabled={p.stock < 1}
                  onClick={() => void add(p.id)}
                  data-testid={`add-${stack}-${p.id}`}
                >
                  Add
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="cart">
          <h3>Cart</h3>
          {cart?.items.length ? (
            <ul className="cart-items" data-testid={`cart-${stack}`}>
              {cart.items.map((i) => (
                <li key={i.product_id}>
                  {i.quantity} × {i.name} <span className="muted">{formatMoney(i.line_total)}</span>
                </li>
              ))}
              <li>
                <b>Total {formatMoney(cart.total)}</b>
              </li>
            </ul>
          ) : (
            <p className="muted">Empty: add something from the catalogue.</p>
          )}
          <button
            type="button"
            className="checkout"
            disabled={checkingOut || !cart?.items.length}
            onClick={() => void checkout()}
            data-testid={`checkout-${stack}`}
          >
            {checkingOut ? 'Waiting for the shop…' : 'Check out'}
          </button>
          <div className="timer" data-testid={`timer-${stack}`} aria-live="off">
            {checkingOut || accept ? formatTimer(checkingOut ? waited : (accept?.ms ?? 0)) : '0.0 s'}
          </div>
          <div className="muted small-text">what the buyer waits for the checkout answer</div>
        </div>
      </div>
      {accept && order && stack === 'monolith' && accept.status !== 202 && (
        <MonolithConfirmation order={order} status={accept.status} />
      )}
      {/* A 202 from either stack (the monolith's with the fix accept_then_process) is polled until it is final. */}
      {accept && order && (stack === 'micro' || accept.status === 202) && (
        <MicroOrderTracker
          api={api}
          initial={order}
          status={accept.status}
          acceptMs={accept.ms}
          onFinal={() => void refresh()}
        />
      )}
    </div>
  );
}

function MonolithConfirmation({ order, status }: { order: Order; status: number }) {
  return (
    <div className="confirmation" data-testid="confirmation-monolith">
      <div className="row between">
        <span>
          <b>{status}</b> order #{order.id} <span className={`status status-${order.status}`}>{order.status}</span>
        </span>
        <span className="muted">{formatMoney(order.total)}</span>
      </div>
      <div className="big-figure" data-testid="processing-monolith">
        {formatMs(order.processing_duration_ms)}
      </div>
      <div className="muted">
        processing_duration_ms: the buyer waited for all eleven steps, payment and email included, in one transaction
      </div>
      <StepsBar steps={order.steps ?? []} />
    </div>
  );
}

/**
 * Polls the order after the 202 and shows its status moving, with both clocks. When it is final, the pane reloads
 * the catalogue: the stock changed after the 202 (reserved, or given back on a cancellation), not with it.
 */
function MicroOrderTracker({
  api,
  initial,
  status,
  acceptMs,
  onFinal,
}: {
  api: Api;
  initial: Order;
  status: number;
  acceptMs: number;
  onFinal: () => void;
}) {
  const [order, setOrder] = useState(initial);
  const [history, setHistory] = useState<{ status: string; at_ms: number }[]>([{ status: initial.status, at_ms: 0 }]);
  const final = FINAL_STATUSES.has(order.status);
  const sinceAccept = useLiveTimer(!final);
  const started = useRef(performance.now());

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per order, when it becomes final
  useEffect(() => {
    if (final) onFinal();
  }, [final]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: polls one order until it is final
  useEffect(() => {
    if (final) return;
    let stopped = false;
    const timer = setInterval(async () => {
      const result = await api.get<Order>(`/orders/${initial.id}`);
      if (stopped || !result.ok) return;
      setOrder(result.body);
      setHistory((h) =>
        h[h.length - 1]?.status === result.body.status
          ? h
          : [...h, { status: result.body.status, at_ms: performance.now() - started.current }],
      );
    }, 200);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [final, initial.id]);

  return (
    <div className="confirmation" data-testid="confirmation-micro">
      <div className="row between">
        <span>
          <b>{status}</b> order #{order.id}{' '}
          <span className={`status status-${order.status}`} data-testid="status-micro">
            {order.status}
          </span>
          {order.failure_reason && <span className="muted"> ({order.failure_reason})</span>}
        </span>
        <span className="muted">{formatMoney(order.total)}</span>
      </div>
      <div className="clocks">
        <div>
          <div className="big-figure" data-testid="processing-micro">
            {formatMs(order.processing_duration_ms ?? acceptMs)}
          </div>
          <div className="muted">the buyer waited (202 Accepted, processing_duration_ms)</div>
        </div>
        <div>
          <div className="big-figure secondary-figure" data-testid="completion-micro">
            {final ? formatMs(order.completion_duration_ms) : formatTimer(sinceAccept)}
          </div>
          <div className="muted">
            {final ? 'order final after (completion_duration_ms)' : 'order in flight: stock, payment, email…'}
          </div>
        </div>
      </div>
      <ol className="status-history" data-testid="status-history-micro">
        {history.map((h) => (
          <li key={h.status}>
            <span className={`status status-${h.status}`}>{h.status}</span> +{formatMs(h.at_ms)}
          </li>
        ))}
      </ol>
      {final && <StepsBar steps={order.steps ?? []} />}
    </div>
  );
}
