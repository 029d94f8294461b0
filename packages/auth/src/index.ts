export { createCertificates, loadCertificate, loadCertificates, type Certificate } from "./certificates.js"
export type { StringTable } from "./string-table.js"
