// The benchmark peer: Bun + Pulsar, written as a Pulsar user writes it. It serves the same
// routes and bodies as bench/bench_server/main.cpp, so bench/run can compare the two.
//
//   PORT                 port to listen on (Pulsar's default 3000 when unset)
//   BENCH_MIDDLEWARES=N  N pass-through middlewares in front of every route (H4 uses 3)

import { start, router, json, text, type Middleware, type Route } from "@pulsar-http/core";

const port = Number(process.env.PORT ?? 3000);
const middlewareCount = Number(process.env.BENCH_MIDDLEWARES ?? 0);

// 50 routes registered before /users/:id, so H3 measures routing with a realistic table:
// half static, half with a parameter, all two segments deep like /users/:id.
const dummyRoutes: Route[] = [];
for (let i = 0; i < 50; i++) {
  const path = i % 2 === 0 ? `/route${i}/list` : `/r${i}/:x`;
  dummyRoutes.push(router.get(path, async () => text(`route ${i}`)));
}

const routes: Route[] = [
  router.get("/", async () => json({ message: "Hello, world!" })),
  ...dummyRoutes,
  router.get("/users/:id", async ({ pathParams }) => json({ id: pathParams.id })),
];

const passThrough: Middleware = async (_req, next) => next();
const middlewares: Middleware[] = Array.from({ length: middlewareCount }, () => passThrough);

start({ port, routes, middlewares });
