import { describe, expect, test } from 'vitest';
import { cachedUserDirectory, type DirectoryUser, type UserDirectory } from '../src/data-access/user.directory';

// The cache's bookkeeping alone, with a directory that answers when the test says so: which answers are kept, and
// which are not because a change of that user (or the loss of the feed) came while the lookup was in flight.

function slowDirectory() {
  const pending: ((user: DirectoryUser | null) => void)[] = [];
  let asked = 0;
  const directory = {
    find: () => {
      asked++;
      return new Promise<DirectoryUser | null>((resolve) => pending.push(resolve));
    },
    cache: () => ({ status: 'off' as const, users: 0 }),
    close: () => {},
  } as unknown as UserDirectory;
  return { directory, answer: (user: DirectoryUser | null) => pending.shift()?.(user), asked: () => asked };
}

const ANN: DirectoryUser = { id: 1, email: 'ann@example.test', is_admin: false };

async function lookup(cache: ReturnType<typeof cachedUserDirectory>, answer: () => void) {
  const found = cache.find(1, 'request');
  answer();
  return found;
}

describe('the gateway keeps a user only while nothing says it changed', () => {
  test('when the feed is live and the user is found, then the next request is answered without asking', async () => {
    const slow = slowDirectory();
    const cache = cachedUserDirectory(slow.directory);
    cache.feed.ready();
    expect(await lookup(cache, () => slow.answer(ANN))).toEqual(ANN);
    expect(await cache.find(1, 'again')).toEqual(ANN);
    expect(slow.asked()).toBe(1);
    expect(cache.cache()).toEqual({ status: 'live', users: 1 });
  });

  test('when the user changes while its lookup is in flight, then the answer is given but not kept', async () => {
    const slow = slowDirectory();
    const cache = cachedUserDirectory(slow.directory);
    cache.feed.ready();
    const found = cache.find(1, 'request');
    cache.feed.change({ id: 1 });
    slow.answer(ANN);
    expect(await found).toEqual(ANN);
    void cache.find(1, 'again');
    expect(slow.asked()).toBe(2);
  });

  test('when the feed is lost, or says every user changed, then nothing kept is served', async () => {
    const slow = slowDirectory();
    const cache = cachedUserDirectory(slow.directory);
    cache.feed.ready();
    await lookup(cache, () => slow.answer(ANN));
    cache.feed.change({ all: true });
    void cache.find(1, 'after all');
    expect(slow.asked()).toBe(2);
    slow.answer(ANN);
    cache.feed.lost();
    expect(cache.cache()).toEqual({ status: 'not connected', users: 0 });
    await lookup(cache, () => slow.answer(ANN));
    void cache.find(1, 'still not live');
    expect(slow.asked()).toBe(4);
  });

  test('when the feed has not said ready, then nothing is kept, and a user that does not exist is never kept', async () => {
    const slow = slowDirectory();
    const cache = cachedUserDirectory(slow.directory);
    await lookup(cache, () => slow.answer(ANN));
    cache.feed.ready();
    await lookup(cache, () => slow.answer(null));
    void cache.find(1, 'again');
    expect(slow.asked()).toBe(3);
  });
});
