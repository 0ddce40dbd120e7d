/** A console page, from the URL's hash (`#/users/<id>`): hash routing needs no server fallback. */
export type Route =
  | { readonly page: 'sign-in' }
  | { readonly page: 'users'; readonly query: string }
  | { readonly page: 'user'; readonly id: string }
  | { readonly page: 'event'; readonly eventId: string }
  | { readonly page: 'fleet' };

/** Reads the route from a hash; anything unknown is the users page. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  if (parts[0] === 'sign-in') {
    return { page: 'sign-in' };
  }
  if (parts[0] === 'fleet') {
    return { page: 'fleet' };
  }
  if (parts[0] === 'users' && parts[1] !== undefined) {
    return { page: 'user', id: parts[1] };
  }
  if (parts[0] === 'events' && parts[1] !== undefined) {
    return { page: 'event', eventId: parts[1] };
  }
  return { page: 'users', query: new URLSearchParams(search).get('query') ?? '' };
}

/** The hash of a route. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'sign-in':
      return '#/sign-in';
    case 'fleet':
      return '#/fleet';
    case 'user':
      return `#/users/${encodeURIComponent(route.id)}`;
    case 'event':
      return `#/events/${encodeURIComponent(route.eventId)}`;
    case 'users':
      return route.query === '' ? '#/users' : `#/users?${new URLSearchParams({ query: route.query })}`;
  }
}

/** Goes to a route (a new history entry; the hashchange listener renders it). */
export function navigate(route: Route): void {
  location.hash = hrefOf(route);
}
