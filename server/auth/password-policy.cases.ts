/** One table of passwords, checked by the signup checklist (client) and the server alike. */
export const PASSWORD_CASES: { password: string; accepted: boolean; why: string }[] = [
  { password: "Abcdefgh1!", accepted: true, why: "exactly 10 characters, all four classes" },
  { password: "Correct-Horse-9-Battery", accepted: true, why: "long passphrase" },
  { password: "Ünïcödé-Pässwörd1", accepted: true, why: "non-ASCII letters count as upper/lower" },
  { password: "Abcdefg1!", accepted: false, why: "9 characters" },
  { password: "abcdefgh1!", accepted: false, why: "no upper-case letter" },
  { password: "ABCDEFGH1!", accepted: false, why: "no lower-case letter" },
  { password: "Abcdefghi!", accepted: false, why: "no digit" },
  { password: "Abcdefghi1", accepted: false, why: "no special character" },
  { password: "Abcd efgh1", accepted: false, why: "a space is not a special character" },
  { password: "", accepted: false, why: "empty" },
];
