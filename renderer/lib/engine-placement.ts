/** Where the engine runs, kept in the page's address so a reload (or a bookmark) keeps the choice. */
export interface EnginePlacement {
  /** The engine runs in a worker of this page instead of the app's engine host. */
  inPage: boolean;
  /** 'auto' or a backend id, for the engine in the page. */
  backend: string;
}

/** Where the user asked the engine to run (`?engine=page&backend=webgl`), read from the page's address. */
export function enginePlacement(address: string): EnginePlacement {
  const parameters = new URL(address).searchParams;
  return { inPage: parameters.get('engine') === 'page', backend: parameters.get('backend') ?? 'auto' };
}

/** The page's address with another placement; everything else in it (the server's token) is kept. */
export function addressFor(address: string, placement: EnginePlacement): string {
  const url = new URL(address);
  url.searchParams.delete('engine');
  url.searchParams.delete('backend');
  if (placement.inPage) {
    url.searchParams.set('engine', 'page');
    url.searchParams.set('backend', placement.backend);
  }
  return url.href;
}
