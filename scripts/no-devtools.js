// Stand-in for react-devtools-core, which ink imports only in development (DEV=true).
export default {};
