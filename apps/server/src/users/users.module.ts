import { Module } from '@nestjs/common';
import { PasswordHasher, passwordHasher } from '#auth';
import { BotsCoreModule } from '../bots/bots-core.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { AccessTokensRepository } from './access-tokens.repository.js';
import { AccessTokensService } from './access-tokens.service.js';
import { DirectoryLogins } from './directory-login.js';
import { EmailVerificationService } from './email-verification.service.js';
import { LoginAttemptsRepository } from './login-attempts.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginService } from './login.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { ProfilePicturesService } from './profile-pictures.service.js';
import { UserDirectoryService } from './user-directory.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { VerificationLinks } from './verification-links.js';

@Module({
  imports: [TeamsModule, MembershipModule, BotsCoreModule],
  controllers: [UsersController],
  providers: [
    UsersRepository,
    UsersService,
    UserDirectoryService,
    AccessTokensRepository,
    AccessTokensService,
    LoginService,
    LoginAttemptsRepository,
    LoginThrottle,
    DirectoryLogins,
    ProfilePicturesService,
    VerificationLinks,
    EmailVerificationService,
    PasswordResetService,
    // Pictures live in the file store the jobs use (FileSettings.DriverName).
    // The process's one bcrypt queue, which hashPassword also uses.
    { provide: PasswordHasher, useValue: passwordHasher },
  ],
  // AccessTokensRepository: the expired-token cleanup job deletes tokens in batches.
  // AccessTokensService: a bot enabled again gets its tokens' sessions back.
  // DirectoryLogins: the LDAP area plugs its login in. LoginService and LoginThrottle: the sign-in
  // switch checks passwords as a login does, POST /users/mfa is rate-limited as one.
  exports: [UsersService, UsersRepository, AccessTokensRepository, AccessTokensService, DirectoryLogins, LoginService, LoginThrottle],
})
export class UsersModule {}
