# The lab's mail catcher (MailDev, the same version as `npm start` uses): SMTP on 1025, the web page and REST API on 8025.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY lab-kit/package.json lab-kit/package.json
# lab-kit depends on the contract workspace: its manifest keeps npm from looking for it in the registry.
COPY contract/package.json contract/package.json
RUN npm install --no-audit --no-fund --omit=dev --no-save maildev@3
EXPOSE 1025 8025
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD node -e "fetch('http://127.0.0.1:8025/api/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npx", "maildev", "--smtp", "1025", "--web", "8025", "--ip", "0.0.0.0", "--web-ip", "0.0.0.0"]
