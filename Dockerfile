# Production image: the compiled server (dist/server.js, built by `npm run build`) run with the same
# node arguments as `npm start`, on PostgreSQL. The sources stay beside it: the bundle finds its
# migrations and static files there, and the operator scripts run them through tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY db ./db
COPY server ./server
COPY web ./web
COPY scripts ./scripts
COPY tsconfig.json drizzle.config.ts ./
RUN npm run build
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--max-old-space-size=512", "--max-semi-space-size=8", "dist/server.js"]
