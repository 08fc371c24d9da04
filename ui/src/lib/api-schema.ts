// Types of each API route read from the generated OpenAPI types: its path parameters, query, JSON body and success reply.
import type { paths } from './api-types.gen';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The operation object of a route (never when the route has no such method). */
type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][Lowercase<M>]>;

/** The documented paths (templates such as `/api/public/v2/datasets/{id}`) that accept method M. */
export type PathWith<M extends HttpMethod> = {
  [P in keyof paths]: [NonNullable<paths[P][Lowercase<M>]>] extends [never] ? never : P;
}[keyof paths];

type SuccessOf<R> = R extends { 200: infer S }
  ? S
  : R extends { 201: infer S }
    ? S
    : R extends { 202: infer S }
      ? S
      : never;
type JsonOf<X> = X extends { content: { 'application/json': infer J } } ? J : never;

/** The JSON body of a route's success reply (200, 201 or 202). */
export type ResponseOf<P extends PathWith<M>, M extends HttpMethod> = JsonOf<SuccessOf<Operation<P, M>['responses']>>;

/** The JSON request body a route accepts (never when it takes none). */
export type BodyOf<P extends PathWith<M>, M extends HttpMethod> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The query parameters a route accepts (never when it takes none). */
export type QueryOf<P extends PathWith<M>, M extends HttpMethod> = NonNullable<Operation<P, M>['parameters']['query']>;

/** The path parameters of a route's template (never when it has none). */
export type PathParamsOf<P extends PathWith<M>, M extends HttpMethod> = NonNullable<
  Operation<P, M>['parameters']['path']
>;

/** `/datasets/{id}` with `{ id: 7 }` → `/datasets/7` (each value URL-encoded). */
export function fillPath(template: string, params: Record<string, string | number> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}
