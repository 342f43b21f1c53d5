// Style sheets are imported for their effect (Vite bundles them into one file).
declare module "*.css";
